/**
 * tree-sitter with the Python grammar. One parser per thread, reused: creating
 * a parser and setting its language costs more than parsing a small file.
 */
import Parser from 'tree-sitter';
import Python from 'tree-sitter-python';

export type SyntaxNode = Parser.SyntaxNode;
export type Tree = Parser.Tree;

let parser: Parser | null = null;

export function parsePython(text: string, previous?: Tree): Tree {
  if (!parser) {
    parser = new Parser();
    parser.setLanguage(Python as unknown as Parser.Language);
  }
  // The binding reads the string in chunks; a larger buffer means fewer crossings into native code.
  return parser.parse(text, previous, { bufferSize: Math.min(Math.max(text.length + 1, 1024), 1 << 24) });
}
