{
  # pyhang's native parse (parse.c) and word summaries (word-summary.c) with tree-sitter's runtime (vendored, see
  # vendor/tree-sitter/README.md) and the Python grammar, compiled from the
  # sources the installed tree-sitter-python package ships (gyp wants its path
  # relative to this file).
  "variables": {
    "tree_sitter_python": "<!(node -p \"require('path').relative('.', require('path').dirname(require.resolve('tree-sitter-python/package.json')))\")"
  },
  "targets": [
    {
      "target_name": "pyhang_parse",
      "sources": [
        "parse.c",
        "word-summary.c",
        "vendor/tree-sitter/src/lib.c",
        "<(tree_sitter_python)/src/parser.c",
        "<(tree_sitter_python)/src/scanner.c"
      ],
      "include_dirs": [
        "vendor/tree-sitter/include",
        "vendor/tree-sitter/src",
        "<(tree_sitter_python)/src"
      ],
      "cflags_c": ["-std=c11", "-O2", "-fvisibility=hidden"],
      "defines": ["_POSIX_C_SOURCE=200112L", "_DEFAULT_SOURCE"],
      "xcode_settings": {
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CFLAGS": ["-std=c11"]
      }
    }
  ]
}
