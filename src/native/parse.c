/*
 * pyhang's native parse: tree-sitter with the Python grammar, and the whole
 * syntax tree handed to JavaScript in one flat array.
 *
 * Walking a tree through tree-sitter's Node binding crosses into native code
 * several times per node (type, field, start, end, moves), and that cost more
 * than the parse itself. Here one call parses a file and writes every node,
 * in document order, as WORDS 32-bit numbers (see below); parser.ts builds its
 * plain nodes from them. It compiles the very sources the npm packages
 * `tree-sitter` and `tree-sitter-python` ship, so the trees are the binding's.
 *
 * A large file is parsed in slices cut before top-level definitions, into the
 * same tree (see parse_sliced).
 *
 * The text comes as a JavaScript string and is parsed as UTF-16, so offsets
 * are string indices, as with the binding. Each thread (worker) has its own
 * parser (instance data), so threads never share one.
 */
#include <node_api.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
#include <uv.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

const TSLanguage *tree_sitter_python(void);

/*
 * Per node: [0] symbol (0xffff for ERROR) | 1<<16 if named | 1<<17 if missing,
 * [1] field id (0 for none), [2] start, [3] end, [4] number of children.
 */
#define WORDS 5
#define NAMED (1 << 16)
#define MISSING (1 << 17)
#define ERROR_SYMBOL 0xffff

static void delete_parser(napi_env env, void *data, void *hint) {
  (void)env;
  (void)hint;
  ts_parser_delete((TSParser *)data);
}

static TSParser *thread_parser(napi_env env) {
  void *data = NULL;
  if (napi_get_instance_data(env, &data) == napi_ok && data) return (TSParser *)data;
  TSParser *parser = ts_parser_new();
  if (!parser) return NULL;
  if (!ts_parser_set_language(parser, tree_sitter_python()) ||
      napi_set_instance_data(env, parser, delete_parser, NULL) != napi_ok) {
    ts_parser_delete(parser);
    return NULL;
  }
  return parser;
}

static napi_value fail(napi_env env, const char *message) {
  napi_throw_error(env, NULL, message);
  return NULL;
}

/* The flat array being written: grows by doubling. */
typedef struct {
  int32_t *nodes;
  size_t count;
  size_t capacity;
} Flat;

/* Room for one more node; false when out of memory (nodes then freed). */
static bool reserve(Flat *flat) {
  if (flat->count < flat->capacity) return true;
  size_t capacity = flat->capacity * 2;
  int32_t *larger = flat->nodes ? realloc(flat->nodes, capacity * WORDS * sizeof(int32_t)) : NULL;
  if (!larger) {
    free(flat->nodes);
    flat->nodes = NULL;
    return false;
  }
  flat->nodes = larger;
  flat->capacity = capacity;
  return true;
}

/*
 * Writes the cursor's node and its descendants in document order, offsets
 * shifted by `shift` (a slice's start), and leaves the cursor on that node.
 * False when out of memory.
 */
static bool write_subtree(Flat *flat, TSTreeCursor *cursor, uint32_t shift) {
  unsigned depth = 0;
  for (;;) {
    if (!reserve(flat)) return false;
    TSNode node = ts_tree_cursor_current_node(cursor);
    int32_t *out = flat->nodes + flat->count * WORDS;
    uint32_t symbol = ts_node_is_error(node) ? ERROR_SYMBOL : ts_node_symbol(node);
    out[0] = (int32_t)(symbol | (ts_node_is_named(node) ? NAMED : 0) | (ts_node_is_missing(node) ? MISSING : 0));
    out[1] = ts_tree_cursor_current_field_id(cursor);
    out[2] = (int32_t)(ts_node_start_byte(node) / sizeof(char16_t) + shift);
    out[3] = (int32_t)(ts_node_end_byte(node) / sizeof(char16_t) + shift);
    out[4] = (int32_t)ts_node_child_count(node);
    flat->count++;
    if (ts_tree_cursor_goto_first_child(cursor)) {
      depth++;
      continue;
    }
    for (;;) {
      if (depth == 0) return true;
      if (ts_tree_cursor_goto_next_sibling(cursor)) break;
      ts_tree_cursor_goto_parent(cursor);
      depth--;
    }
  }
}

/*
 * What follows a slice while it is parsed: a statement at column 0, as the
 * next slice's first line is. Without it the slice's last statement ends at
 * the end of the text, where tree-sitter settles an ambiguous parse
 * differently (`yield x, *y[i]` became `*(y[i])` instead of the whole file's
 * subscript of a splat); with it, as in the whole file.
 */
static const char SENTINEL[] = "pass\n";
#define SENTINEL_LENGTH (sizeof SENTINEL - 1)

static bool starts_with(const char16_t *text, size_t length, size_t at, const char *word) {
  for (size_t k = 0; word[k]; k++) {
    if (at + k >= length || text[at + k] != (char16_t)(unsigned char)word[k]) return false;
  }
  return true;
}

/*
 * Where a large file may be cut into slices that tree-sitter parses into the
 * same top-level statements as the whole file: the start of a line at column 0
 * that begins a `def`, `async def`, `class` or decorator, outside any string
 * and bracket, not continued from the line before (`\`), and not after a
 * decorator line. A slice is at least `min_chars` long. The scan knows only
 * quotes, brackets, comments and backslashes; where it is wrong (a cut inside
 * a construct it misreads) a slice has a syntax error, and the file is then
 * parsed whole (see parse_sliced). Returns how many cuts it wrote to `cuts`.
 */
static size_t find_cuts(const char16_t *text, size_t length, size_t min_chars, size_t *cuts, size_t max_cuts) {
  size_t found = 0, last = 0, depth = 0, i = 0;
  bool continued = false, after_decorator = false;
  while (i < length && found < max_cuts) {
    // Here i is at the start of a line, outside any string.
    if (depth == 0 && !continued) {
      char16_t first = text[i];
      bool opens = first == '@' || starts_with(text, length, i, "def ") || starts_with(text, length, i, "class ") || starts_with(text, length, i, "async ");
      if (opens && !after_decorator && i - last >= min_chars && length - i >= min_chars && length - i > SENTINEL_LENGTH) {
        cuts[found++] = i;
        last = i;
      }
      if (first != ' ' && first != '\t' && first != '\f' && first != '#' && first != '\n' && first != '\r') after_decorator = first == '@';
    }
    continued = false;
    // The rest of the line (and of any string or brackets that run past it).
    while (i < length) {
      char16_t c = text[i];
      if (c == '\n') {
        i++;
        break;
      }
      if (c == '#') {
        while (i < length && text[i] != '\n') i++;
        continue;
      }
      if (c == '\\') {
        if (i + 1 < length && text[i + 1] == '\n') continued = true;
        else if (i + 2 < length && text[i + 1] == '\r' && text[i + 2] == '\n') continued = true;
        i += 2;
        continue;
      }
      if (c == '(' || c == '[' || c == '{') depth++;
      else if ((c == ')' || c == ']' || c == '}') && depth > 0) depth--;
      else if (c == '\'' || c == '"') {
        bool triple = i + 2 < length && text[i + 1] == c && text[i + 2] == c;
        i += triple ? 3 : 1;
        while (i < length) {
          if (text[i] == '\\') {
            i += 2;
          } else if (text[i] == c && (!triple || (i + 2 < length && text[i + 1] == c && text[i + 2] == c))) {
            i += triple ? 3 : 1;
            break;
          } else if (text[i] == '\n' && !triple) {
            break;
          } else {
            i++;
          }
        }
        continue;
      }
      i++;
    }
  }
  return found;
}

/* Parses `length` characters at `text`; NULL if the parse did not finish. */
static TSTree *parse_text(TSParser *parser, const char16_t *text, size_t length) {
  return ts_parser_parse_string_encoding(parser, NULL, (const char *)text, (uint32_t)(length * sizeof(char16_t)), TSInputEncodingUTF16LE);
}

/*
 * One slice's parse (see parse_sliced): its top-level nodes, written with the
 * whole file's offsets, and what the root takes from it.
 */
typedef struct {
  Flat flat;
  /* How many top-level nodes (the root's children) it holds. */
  int32_t children;
  uint32_t symbol;
  int32_t start;
  int32_t end;
} Slice;

/* The slices of one file and the threads that parse them, each taking the next slice not yet taken. */
typedef struct {
  const char16_t *text;
  size_t length;
  const size_t *cuts;
  size_t cut_count;
  Slice *slices;
  uv_mutex_t lock;
  size_t next;
  /* 1 while every slice parsed so far is usable; 0 (a syntax error) or -1 (out of memory) stops the others. */
  int status;
} SliceWork;

/* Parses slice `s` into work->slices[s]: 1 if written, 0 if it has a syntax error, -1 if out of memory. */
static int parse_slice(TSParser *parser, SliceWork *work, size_t s, char16_t **buffer, size_t *buffer_chars) {
  size_t from = s == 0 ? 0 : work->cuts[s - 1];
  size_t to = s == work->cut_count ? work->length : work->cuts[s];
  // Every slice but the last is followed by the sentinel statement (see SENTINEL): the slice is copied, so that
  // no thread writes into text that another one is parsing.
  bool followed = s < work->cut_count;
  size_t chars = to - from + (followed ? SENTINEL_LENGTH : 0);
  if (*buffer_chars < chars) {
    char16_t *larger = realloc(*buffer, chars * sizeof(char16_t));
    if (!larger) return -1;
    *buffer = larger;
    *buffer_chars = chars;
  }
  memcpy(*buffer, work->text + from, (to - from) * sizeof(char16_t));
  if (followed) for (size_t k = 0; k < SENTINEL_LENGTH; k++) (*buffer)[to - from + k] = (char16_t)SENTINEL[k];
  TSTree *tree = parse_text(parser, *buffer, chars);
  if (!tree) return -1;
  TSNode root = ts_tree_root_node(tree);
  uint32_t count = ts_node_child_count(root);
  // The sentinel is the root's last child, else the slice did not end where the scan thought.
  bool usable = !ts_node_has_error(root) &&
                (!followed || (count > 0 && ts_node_start_byte(ts_node_child(root, count - 1)) == (to - from) * sizeof(char16_t)));
  if (!usable) {
    ts_tree_delete(tree);
    return 0;
  }
  if (followed) count--;
  Slice *slice = &work->slices[s];
  slice->children = (int32_t)count;
  slice->symbol = ts_node_symbol(root);
  slice->start = (int32_t)(ts_node_start_byte(root) / sizeof(char16_t));
  slice->end = (int32_t)(ts_node_end_byte(root) / sizeof(char16_t) + from);
  // About one node per two characters (see parse_flat).
  slice->flat = (Flat){malloc((64 + (to - from) / 2) * WORDS * sizeof(int32_t)), 0, 64 + (to - from) / 2};
  bool ok = slice->flat.nodes != NULL;
  TSTreeCursor cursor = ts_tree_cursor_new(root);
  if (ok && count > 0 && ts_tree_cursor_goto_first_child(&cursor)) {
    for (uint32_t k = 0; ok && k < count; k++) {
      ok = write_subtree(&slice->flat, &cursor, (uint32_t)from);
      if (k + 1 < count) ts_tree_cursor_goto_next_sibling(&cursor);
    }
  }
  ts_tree_cursor_delete(&cursor);
  ts_tree_delete(tree);
  return ok ? 1 : -1;
}

/* Takes slices until none is left or one failed (see SliceWork). */
static void parse_slices(TSParser *parser, SliceWork *work) {
  char16_t *buffer = NULL;
  size_t buffer_chars = 0;
  for (;;) {
    uv_mutex_lock(&work->lock);
    size_t s = work->next++;
    bool go = work->status == 1 && s <= work->cut_count;
    uv_mutex_unlock(&work->lock);
    if (!go) break;
    int result = parse_slice(parser, work, s, &buffer, &buffer_chars);
    if (result != 1) {
      uv_mutex_lock(&work->lock);
      // Out of memory wins over a syntax error: the caller must not try the whole parse then.
      if (result < work->status) work->status = result;
      uv_mutex_unlock(&work->lock);
    }
  }
  free(buffer);
}

/* A helper thread: a parser of its own (parsers are not shared between threads). */
static void slice_thread(void *arg) {
  SliceWork *work = arg;
  TSParser *parser = ts_parser_new();
  if (parser && ts_parser_set_language(parser, tree_sitter_python())) {
    parse_slices(parser, work);
  } else {
    uv_mutex_lock(&work->lock);
    work->status = -1;
    uv_mutex_unlock(&work->lock);
  }
  if (parser) ts_parser_delete(parser);
}

/* At most this many threads parse one file's slices (the calling one included). */
#define MAX_THREADS 4

/*
 * The whole file's nodes from slices (see find_cuts): the root's children are
 * the slices' roots' children, in order. Parsing a big file whole costs twice
 * as much per character as parsing it in slices of tens of kilobytes
 * (tree-sitter's tree of the whole file is hundreds of megabytes, where a
 * slice's stays in the cache and its memory is reused), and takes all that
 * memory at once. The slices are independent, so up to `threads` threads
 * parse them at once (the calling one and helpers), each taking the next
 * slice; their nodes are then joined in order, so the array is the same
 * whatever the number of threads. Returns 1 if the array was made (`array`),
 * 0 if a slice has a syntax error (error recovery may differ from the whole file's: the caller
 * parses whole), -1 if out of memory or a parse did not finish.
 */
static int parse_sliced(napi_env env, TSParser *parser, const char16_t *text, size_t length, const size_t *cuts, size_t cut_count, unsigned threads,
                        napi_value *array) {
  size_t slice_count = cut_count + 1;
  Slice *slices = calloc(slice_count, sizeof(Slice));
  if (!slices) return -1;
  SliceWork work = {text, length, cuts, cut_count, slices, {0}, 0, 1};
  if (uv_mutex_init(&work.lock) != 0) {
    free(slices);
    return -1;
  }
  if (threads > MAX_THREADS) threads = MAX_THREADS;
  if (threads > slice_count) threads = (unsigned)slice_count;
  uv_thread_t helpers[MAX_THREADS];
  unsigned started = 0;
  for (unsigned t = 1; t < threads; t++) {
    if (uv_thread_create(&helpers[started], slice_thread, &work) == 0) started++;
  }
  parse_slices(parser, &work);
  for (unsigned t = 0; t < started; t++) uv_thread_join(&helpers[t]);
  uv_mutex_destroy(&work.lock);

  int result = work.status;
  if (result == 1) {
    // The root first: its children are the slices' top-level nodes, its end the last slice's. Written straight
    // into the array JavaScript gets, each slice freed once copied: the nodes are never held twice over.
    size_t total = 1;
    int32_t children = 0;
    for (size_t s = 0; s < slice_count; s++) {
      total += slices[s].flat.count;
      children += slices[s].children;
    }
    napi_value buffer;
    void *data = NULL;
    if (napi_create_arraybuffer(env, total * WORDS * sizeof(int32_t), &data, &buffer) == napi_ok &&
        napi_create_typedarray(env, napi_int32_array, total * WORDS, buffer, 0, array) == napi_ok) {
      int32_t *out = data;
      out[0] = (int32_t)(slices[0].symbol | NAMED);
      out[1] = 0;
      out[2] = slices[0].start;
      out[3] = slices[cut_count].end;
      out[4] = children;
      out += WORDS;
      for (size_t s = 0; s < slice_count; s++) {
        memcpy(out, slices[s].flat.nodes, slices[s].flat.count * WORDS * sizeof(int32_t));
        out += slices[s].flat.count * WORDS;
        free(slices[s].flat.nodes);
        slices[s].flat.nodes = NULL;
      }
    } else {
      result = -1;
    }
  }
  for (size_t s = 0; s < slice_count; s++) free(slices[s].flat.nodes);
  free(slices);
  return result;
}

/* After parsing a file at least this long, glibc's free memory is handed back (see parse_flat). */
#define TRIM_CHARS (1 << 20)

/* Files shorter than this are parsed whole; longer ones in slices about this long (see parse_sliced). */
#define SLICE_CHARS 65536

/*
 * parseFlat(text: string, sliceChars?: number, threads?: number): Int32Array
 * (sliceChars: tests make small files take the sliced parse; threads: how many
 * threads parse slices, up to MAX_THREADS, by default one: on the shared
 * two-core machine it was measured on, under a load of 10 to 15, two threads
 * took 20 to 50% more CPU and more wall time than one for the 18 MB bench
 * file, even pinned to one core; see docs/performance.md).
 */
static napi_value parse_flat(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return fail(env, "parseFlat: expected a string");
  size_t length = 0;
  if (napi_get_value_string_utf16(env, argv[0], NULL, 0, &length) != napi_ok) return fail(env, "parseFlat: expected a string");
  if (length > UINT32_MAX / 4) return fail(env, "parseFlat: text too long");
  uint32_t slice_chars = SLICE_CHARS;
  if (argc >= 2) {
    napi_valuetype type;
    if (napi_typeof(env, argv[1], &type) == napi_ok && type == napi_number) napi_get_value_uint32(env, argv[1], &slice_chars);
    if (slice_chars < 1) slice_chars = 1;
  }
  uint32_t threads = 1;
  if (argc >= 3) {
    napi_valuetype type;
    if (napi_typeof(env, argv[2], &type) == napi_ok && type == napi_number) napi_get_value_uint32(env, argv[2], &threads);
  }
  if (threads < 1) threads = 1;
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (!text) return fail(env, "parseFlat: out of memory");
  napi_get_value_string_utf16(env, argv[0], text, length + 1, &length);
  TSParser *parser = thread_parser(env);
  if (!parser) {
    free(text);
    return fail(env, "parseFlat: no parser");
  }

  if (length >= 2 * (size_t)slice_chars) {
    size_t max_cuts = length / slice_chars + 1;
    size_t *cuts = malloc(max_cuts * sizeof(size_t));
    size_t cut_count = cuts ? find_cuts(text, length, slice_chars, cuts, max_cuts) : 0;
    napi_value array;
    int sliced = cut_count > 0 ? parse_sliced(env, parser, text, length, cuts, cut_count, threads, &array) : 0;
    free(cuts);
    if (sliced != 0) {
      free(text);
#if defined(__GLIBC__)
      if (length >= TRIM_CHARS) malloc_trim(0);
#endif
      if (sliced < 0) return fail(env, "parseFlat: out of memory, or the parse did not finish");
      return array;
    }
  }
  // Parsed whole (a small file, or a slice had a syntax error). The text is let go before the array is made: the
  // two need not be held at once.
  TSTree *tree = parse_text(parser, text, length);
  free(text);
  if (!tree) return fail(env, "parseFlat: the parse did not finish");
  Flat flat = {NULL, 0, 1024 + length / 2};
  flat.nodes = malloc(flat.capacity * WORDS * sizeof(int32_t));
  if (flat.nodes) {
    TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
    if (!write_subtree(&flat, &cursor, 0)) flat.nodes = NULL;
    ts_tree_cursor_delete(&cursor);
  }
  ts_tree_delete(tree);
#if defined(__GLIBC__)
  /*
   * The tree is many small allocations, which glibc keeps for reuse once
   * freed: a file of 18 MB left about 800 MB of them resident while the
   * JavaScript side built its own nodes and facts. Hand them back, after a
   * large file only: the trim goes over every free chunk (dozens of madvise
   * calls a file), which cost the standard library's run 3 to 4 s of system
   * time when done after every file, where a small file's tree is reused.
   */
  if (length >= TRIM_CHARS) malloc_trim(0);
#endif
  if (!flat.nodes) return fail(env, "parseFlat: out of memory");

  napi_value buffer, array;
  void *data = NULL;
  size_t bytes = flat.count * WORDS * sizeof(int32_t);
  if (napi_create_arraybuffer(env, bytes, &data, &buffer) != napi_ok) {
    free(flat.nodes);
    return fail(env, "parseFlat: out of memory");
  }
  memcpy(data, flat.nodes, bytes);
  free(flat.nodes);
  napi_create_typedarray(env, napi_int32_array, flat.count * WORDS, buffer, 0, &array);
  return array;
}

static napi_value string_array(napi_env env, uint32_t count, const char *(*name)(const TSLanguage *, uint32_t), uint32_t first) {
  const TSLanguage *language = tree_sitter_python();
  napi_value array;
  napi_create_array_with_length(env, count, &array);
  for (uint32_t i = first; i < count; i++) {
    const char *text = name(language, i);
    napi_value value;
    if (text) napi_create_string_utf8(env, text, NAPI_AUTO_LENGTH, &value);
    else napi_get_null(env, &value);
    napi_set_element(env, array, i, value);
  }
  return array;
}

static const char *symbol_name(const TSLanguage *language, uint32_t id) { return ts_language_symbol_name(language, (TSSymbol)id); }
static const char *field_name(const TSLanguage *language, uint32_t id) { return ts_language_field_name_for_id(language, (TSFieldId)id); }

/* language(): { types: string[], fields: (string | null)[] }, indexed by symbol and field id. */
static napi_value language(napi_env env, napi_callback_info info) {
  (void)info;
  const TSLanguage *lang = tree_sitter_python();
  napi_value result;
  napi_create_object(env, &result);
  napi_set_named_property(env, result, "types", string_array(env, ts_language_symbol_count(lang), symbol_name, 0));
  napi_set_named_property(env, result, "fields", string_array(env, ts_language_field_count(lang) + 1, field_name, 1));
  return result;
}

/* wordSummary(bytes): see word-summary.c. */
napi_value word_summary(napi_env env, napi_callback_info info);

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"parseFlat", NULL, parse_flat, NULL, NULL, NULL, napi_default, NULL},
      {"language", NULL, language, NULL, NULL, NULL, napi_default, NULL},
      {"wordSummary", NULL, word_summary, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
