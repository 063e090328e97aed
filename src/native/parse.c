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
 * The text comes as a JavaScript string and is parsed as UTF-16, so offsets
 * are string indices, as with the binding. Each thread (worker) has its own
 * parser (instance data), so threads never share one.
 */
#include <node_api.h>
#include <stdlib.h>
#include <string.h>
#include <tree_sitter/api.h>
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

/* parseFlat(text: string): Int32Array */
static napi_value parse_flat(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  if (napi_get_cb_info(env, info, &argc, argv, NULL, NULL) != napi_ok || argc < 1) return fail(env, "parseFlat: expected a string");
  size_t length = 0;
  if (napi_get_value_string_utf16(env, argv[0], NULL, 0, &length) != napi_ok) return fail(env, "parseFlat: expected a string");
  if (length > UINT32_MAX / 4) return fail(env, "parseFlat: text too long");
  char16_t *text = malloc((length + 1) * sizeof(char16_t));
  if (!text) return fail(env, "parseFlat: out of memory");
  napi_get_value_string_utf16(env, argv[0], text, length + 1, &length);
  TSParser *parser = thread_parser(env);
  if (!parser) {
    free(text);
    return fail(env, "parseFlat: no parser");
  }
  TSTree *tree = ts_parser_parse_string_encoding(parser, NULL, (const char *)text, (uint32_t)(length * sizeof(char16_t)), TSInputEncodingUTF16LE);
  free(text);
  if (!tree) return fail(env, "parseFlat: the parse did not finish");

  size_t capacity = 1024 + length / 2;
  size_t count = 0;
  int32_t *nodes = malloc(capacity * WORDS * sizeof(int32_t));
  TSTreeCursor cursor = ts_tree_cursor_new(ts_tree_root_node(tree));
  for (;;) {
    if (count == capacity) {
      capacity *= 2;
      int32_t *larger = nodes ? realloc(nodes, capacity * WORDS * sizeof(int32_t)) : NULL;
      if (!larger) {
        free(nodes);
        nodes = NULL;
        break;
      }
      nodes = larger;
    }
    if (!nodes) break;
    TSNode node = ts_tree_cursor_current_node(&cursor);
    int32_t *out = nodes + count * WORDS;
    uint32_t symbol = ts_node_is_error(node) ? ERROR_SYMBOL : ts_node_symbol(node);
    out[0] = (int32_t)(symbol | (ts_node_is_named(node) ? NAMED : 0) | (ts_node_is_missing(node) ? MISSING : 0));
    out[1] = ts_tree_cursor_current_field_id(&cursor);
    out[2] = (int32_t)(ts_node_start_byte(node) / sizeof(char16_t));
    out[3] = (int32_t)(ts_node_end_byte(node) / sizeof(char16_t));
    out[4] = (int32_t)ts_node_child_count(node);
    count++;
    if (ts_tree_cursor_goto_first_child(&cursor)) continue;
    while (!ts_tree_cursor_goto_next_sibling(&cursor)) {
      if (!ts_tree_cursor_goto_parent(&cursor)) goto walked;
    }
  }
walked:
  ts_tree_cursor_delete(&cursor);
  ts_tree_delete(tree);
#if defined(__GLIBC__)
  /*
   * The tree is many small allocations, which glibc keeps for reuse once
   * freed: a file of 18 MB left about 800 MB of them resident while the
   * JavaScript side built its own nodes and facts. Hand them back.
   */
  malloc_trim(0);
#endif
  if (!nodes) return fail(env, "parseFlat: out of memory");

  napi_value buffer, array;
  void *data = NULL;
  size_t bytes = count * WORDS * sizeof(int32_t);
  if (napi_create_arraybuffer(env, bytes, &data, &buffer) != napi_ok) {
    free(nodes);
    return fail(env, "parseFlat: out of memory");
  }
  memcpy(data, nodes, bytes);
  free(nodes);
  napi_create_typedarray(env, napi_int32_array, count * WORDS, buffer, 0, &array);
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

static napi_value init(napi_env env, napi_value exports) {
  napi_property_descriptor properties[] = {
      {"parseFlat", NULL, parse_flat, NULL, NULL, NULL, napi_default, NULL},
      {"language", NULL, language, NULL, NULL, NULL, napi_default, NULL},
  };
  napi_define_properties(env, exports, sizeof(properties) / sizeof(properties[0]), properties);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, init)
