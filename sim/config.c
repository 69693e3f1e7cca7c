// config.c: run configuration parsing and its canonical text.
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <ini.h>
#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "controller.h"
#include "learner.h"
#include "episode.h"
#include "scene.h"

void sf_config_defaults(sfRunConfig* c) {
  memset(c, 0, sizeof(*c));
  c->robots = 16;
  c->rounds = 24;
  c->threads = omp_get_max_threads();
  c->seed = 1;
  c->stitches = 1;
  c->mode = SF_MODE_BOTH;
  c->njoin = 1;
  c->join_count[0] = 4;
  c->join_round[0] = 12;
  c->record_every = 10;
  snprintf(c->controller, sizeof(c->controller), "scripted-arc");
  snprintf(c->learner, sizeof(c->learner), "%s", SF_LEARNER_DEFAULT);
  snprintf(c->model, sizeof(c->model), "%s", sf_scene_default_path());
  snprintf(c->store, sizeof(c->store), "suturefleet.h5");
}

// a number's text may not start with blanks or '+' (strtol and friends would accept them)
static int sf_parse_bad_start(const char* text) {
  return !text[0] || isspace((unsigned char)text[0]) || text[0] == '+';
}

int sf_parse_int(const char* text, long lo, long hi, int* out) {
  if (sf_parse_bad_start(text)) return -1;
  char* end = NULL;
  errno = 0;
  long v = strtol(text, &end, 10);
  if (!text[0] || *end || errno || v < lo || v > hi) return -1;
  *out = (int)v;
  return 0;
}

int sf_parse_u64(const char* text, uint64_t* out) {
  char* end = NULL;
  errno = 0;
  if (!isdigit((unsigned char)text[0])) return -1;
  unsigned long long v = strtoull(text, &end, 10);
  if (*end || errno) return -1;
  *out = (uint64_t)v;
  return 0;
}

int sf_parse_double(const char* text, double lo, double hi, double* out) {
  if (sf_parse_bad_start(text)) return -1;
  char* end = NULL;
  errno = 0;
  double v = strtod(text, &end);
  if (!text[0] || *end || errno || !isfinite(v) || v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

// an integer setting within [lo, hi]
static sftStatus sf_config_int(int* dst, const char* value, long lo, long hi, const char* origin,
                               sfError* e) {
  if (sf_parse_int(value, lo, hi, dst) == 0) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT, "%s: expected an integer from %ld to %ld, got '%s'", origin, lo,
                 hi, value);
}

// --join N@R,...: groups of robots joining at later rounds ("" or "none": no joiners)
static sftStatus sf_config_join(sfRunConfig* c, const char* value, const char* origin, sfError* e) {
  c->njoin = 0;
  c->join_given = 1;
  if (!value[0] || !strcmp(value, "none")) return SF_OK;
  char buf[1024];
  snprintf(buf, sizeof(buf), "%s", value);
  for (char* tok = strtok(buf, ","); tok; tok = strtok(NULL, ",")) {
    char* at = strchr(tok, '@');
    int n = 0, r = 0;
    if (at) *at = 0;
    if (!at || c->njoin == SF_MAX_JOIN || sf_parse_int(tok, 1, 100000, &n) ||
        sf_parse_int(at + 1, 1, 100000, &r)) {
      return sf_fail(e, SF_ERR_INPUT,
                     "%s: expected N@R,... (N robots joining at round R >= 1, at most %d groups), "
                     "got '%s'",
                     origin, SF_MAX_JOIN, value);
    }
    c->join_count[c->njoin] = n;
    c->join_round[c->njoin++] = r;
  }
  return SF_OK;
}

sftStatus sf_config_check(sfRunConfig* c, sfError* e) {
  if (!(c->given & 1u << sf_config_key_index("model"))) {
    snprintf(c->model, sizeof(c->model), "%s", sf_scene_default_for(c->stitches));
  }
  if (!c->join_given && c->njoin && c->join_round[0] >= c->rounds) c->njoin = 0;
  for (int i = 0; i < c->njoin; i++) {
    if (c->join_round[i] >= c->rounds) {
      return sf_fail(e, SF_ERR_INPUT,
                     "--join: robots joining at round %d never practise; expected "
                     "a round from 1 to %d (rounds are numbered from 0)",
                     c->join_round[i], c->rounds - 1);
    }
  }
  return SF_OK;
}

// the settings, in the order of sf_config_set's messages
static const char* const kKeys[SF_CONFIG_NKEY] = {
    "robots", "rounds", "threads",    "seed",  "stitches", "join",    "mode",
    "from",   "record", "controller", "model", "store",    "learner", "share"};

const char* sf_config_key(int k) {
  return k >= 0 && k < SF_CONFIG_NKEY ? kKeys[k] : NULL;
}

int sf_config_key_index(const char* key) {
  for (int k = 0; k < SF_CONFIG_NKEY; k++) {
    if (!strcmp(key, kKeys[k])) return k;
  }
  return -1;
}

sftStatus sf_config_set(sfRunConfig* c, const char* key, const char* value, const char* origin,
                        sfError* e) {
  // given, whatever the value (a bad one fails the whole configuration)
  int given = sf_config_key_index(key);
  if (given >= 0) c->given |= 1u << given;
  if (!strcmp(key, "robots")) return sf_config_int(&c->robots, value, 1, 100000, origin, e);
  if (!strcmp(key, "rounds")) return sf_config_int(&c->rounds, value, 1, 100000, origin, e);
  if (!strcmp(key, "threads")) {
    return sf_config_int(&c->threads, value, 1, SF_MAX_THREADS, origin, e);
  }
  if (!strcmp(key, "seed")) {
    if (sf_parse_u64(value, &c->seed) == 0) return SF_OK;
    return sf_fail(e, SF_ERR_INPUT, "%s: expected a non-negative integer seed, got '%s'", origin,
                   value);
  }
  if (!strcmp(key, "stitches"))
    return sf_config_int(&c->stitches, value, 1, SF_MAX_STITCHES, origin, e);
  if (!strcmp(key, "join")) return sf_config_join(c, value, origin, e);
  if (!strcmp(key, "mode")) {
    static const char* modes[] = {"fleet", "solo", "both"};
    for (int i = 0; i < 3; i++) {
      if (!strcmp(value, modes[i])) return c->mode = i, SF_OK;
    }
    return sf_fail(e, SF_ERR_INPUT, "%s: expected fleet, solo or both, got '%s'", origin, value);
  }
  if (!strcmp(key, "share")) {
    int k = 0;
    if (!strcmp(value, "all")) return c->share = SF_SHARE_ALL, c->share_k = 0, SF_OK;
    if (!strcmp(value, "knowledge")) return c->share = SF_SHARE_KNOWLEDGE, c->share_k = 0, SF_OK;
    if (!strncmp(value, "groups:", 7) && sf_parse_int(value + 7, 1, SF_MAX_GROUPS, &k) == 0) {
      return c->share = SF_SHARE_GROUPS, c->share_k = k, SF_OK;
    }
    if (!strncmp(value, "delay:", 6) && sf_parse_int(value + 6, 0, SF_MAX_DELAY, &k) == 0) {
      return c->share = SF_SHARE_DELAY, c->share_k = k, SF_OK;
    }
    return sf_fail(
        e, SF_ERR_INPUT,
        "%s: expected all, groups:K (K 1.." SF_STR(SF_MAX_GROUPS) "), delay:D (D 0.." SF_STR(
            SF_MAX_DELAY) " rounds) or knowledge, got '%s'",
        origin, value);
  }
  if (!strcmp(key, "record")) {
    int k = 0;
    if (!strcmp(value, "all")) return c->record_every = 1, SF_OK;
    if (!strcmp(value, "none")) return c->record_every = 0, SF_OK;
    if (!strncmp(value, "every:", 6) && sf_parse_int(value + 6, 1, 1000000, &k) == 0) {
      return c->record_every = k, SF_OK;
    }
    return sf_fail(e, SF_ERR_INPUT, "%s: expected all, none or every:K (K >= 1), got '%s'", origin,
                   value);
  }
  if (!strcmp(key, "from")) {
    snprintf(c->from, sizeof(c->from), "%s", value);
    return SF_OK;
  }
  if (!strcmp(key, "controller") || !strcmp(key, "learner")) {
    char* dst = key[0] == 'c' ? c->controller : c->learner;
    if (!*value || strlen(value) >= sizeof(c->controller)) {
      return sf_fail(e, SF_ERR_INPUT, "%s: expected a built-in %s name or a plug-in path, got '%s'",
                     origin, key, value);
    }
    snprintf(dst, sizeof(c->controller), "%s", value);
    return SF_OK;
  }
  if (!strcmp(key, "model") || !strcmp(key, "store")) {
    char* dst = key[0] == 'm' ? c->model : c->store;
    if (!value[0] || strlen(value) >= sizeof(c->model)) {
      return sf_fail(e, SF_ERR_INPUT, "%s: expected a file path, got '%s'", origin, value);
    }
    snprintf(dst, sizeof(c->model), "%s", value);
    return SF_OK;
  }
  return sf_fail(e, SF_ERR_INPUT,
                 "%s: unknown setting '%s' (expected robots, rounds, threads, seed, stitches, "
                 "join, mode, share, from, record, controller, learner, model or store)",
                 origin, key);
}

// state shared with the INI reader and callback
typedef struct sfIniCtx_ {
  sfIniLines in;  // the stream and its line count (first: sf_ini_read reads through it)
  sfRunConfig* c;
  int bad_line;      // line of the first rejected entry (0: none)
  char section[64];  // its section
  char key[64];      // its key
  char value[4200];  // its value
} sfIniCtx;

char* sf_ini_read(char* str, int num, void* stream) {
  sfIniLines* x = stream;
  char* r = fgets(str, num, x->f);
  if (r) x->line++;
  return r;
}

// one INI entry; the first rejected one is remembered with its line
static int sf_config_ini_entry(void* user, const char* section, const char* key,
                               const char* value) {
  sfIniCtx* x = user;
  int ok = (!section[0] || !strcmp(section, "run")) &&
           sf_config_set(x->c, key, value, "", NULL) == SF_OK;
  if (!ok && !x->bad_line) {
    x->bad_line = x->in.line;
    snprintf(x->section, sizeof(x->section), "%s", section);
    snprintf(x->key, sizeof(x->key), "%s", key);
    snprintf(x->value, sizeof(x->value), "%s", value);
  }
  return ok;
}

static sftStatus sf_config_stream(sfRunConfig* c, FILE* f, const char* name, sfError* e);

sftStatus sf_config_load_text(sfRunConfig* c, const char* text, const char* origin, sfError* e) {
  FILE* f = fmemopen((void*)text, strlen(text), "r");
  if (!f) return sf_fail(e, SF_ERR_RUN, "%s: cannot read the configuration text", origin);
  sftStatus st = sf_config_stream(c, f, origin, e);
  fclose(f);
  return st;
}

sftStatus sf_config_load(sfRunConfig* c, const char* path, sfError* e) {
  // a regular file only (a directory would read as empty, a FIFO or a device hang or never
  // end), read through the descriptor that was checked
  FILE* f;
  sftStatus st = sf_file_open_regular(path, "--config", "an INI file", &f, e);
  if (st != SF_OK) return st;
  char origin[4200];
  snprintf(origin, sizeof(origin), "config '%s'", path);
  st = sf_config_stream(c, f, origin, e);
  fclose(f);
  return st;
}

// apply the INI text of stream f; origin names it in messages
static sftStatus sf_config_stream(sfRunConfig* c, FILE* f, const char* name, sfError* e) {
  sfIniCtx x = {.c = c};
  x.in.f = f;
  int line = ini_parse_stream(sf_ini_read, &x, sf_config_ini_entry, &x);
  if (line == 0) return SF_OK;

  // the first error: a line that is not 'key = value', or a rejected entry
  char origin[4300];
  if (line != x.bad_line) {
    snprintf(origin, sizeof(origin), "%s line %d", name, line);
    return sf_fail(e, SF_ERR_INPUT, "%s: expected 'key = value' or [run]", origin);
  }
  snprintf(origin, sizeof(origin), "%s line %d (%s)", name, line, x.key);
  if (x.section[0] && strcmp(x.section, "run")) {
    return sf_fail(e, SF_ERR_INPUT, "%s: unknown section [%s] (expected [run])", origin, x.section);
  }
  return sf_config_set(c, x.key, x.value, origin, e);
}

void sf_config_value(const sfRunConfig* c, int k, char* buf, size_t n) {
  static const char* modes[] = {"fleet", "solo", "both"};
  const char* key = sf_config_key(k);
  buf[0] = 0;
  if (!key) return;

  // numbers
  int number = !strcmp(key, "robots")     ? c->robots
               : !strcmp(key, "rounds")   ? c->rounds
               : !strcmp(key, "threads")  ? c->threads
               : !strcmp(key, "stitches") ? c->stitches
                                          : -1;
  if (number >= 0) snprintf(buf, n, "%d", number);
  if (!strcmp(key, "seed")) snprintf(buf, n, "%llu", (unsigned long long)c->seed);

  // groups, names and paths
  if (!strcmp(key, "join")) {
    size_t used = (size_t)snprintf(buf, n, "%s", c->njoin ? "" : "none");
    for (int i = 0; i < c->njoin && used < n; i++) {
      used += (size_t)snprintf(buf + used, n - used, "%s%d@%d", i ? "," : "", c->join_count[i],
                               c->join_round[i]);
    }
  }
  if (!strcmp(key, "mode")) snprintf(buf, n, "%s", modes[c->mode]);
  if (!strcmp(key, "share")) {
    if (c->share == SF_SHARE_ALL) snprintf(buf, n, "all");
    if (c->share == SF_SHARE_GROUPS) snprintf(buf, n, "groups:%d", c->share_k);
    if (c->share == SF_SHARE_DELAY) snprintf(buf, n, "delay:%d", c->share_k);
    if (c->share == SF_SHARE_KNOWLEDGE) snprintf(buf, n, "knowledge");
  }
  if (!strcmp(key, "record") && c->record_every <= 1) {
    snprintf(buf, n, "%s", c->record_every ? "all" : "none");
  }
  if (!strcmp(key, "record") && c->record_every > 1) snprintf(buf, n, "every:%d", c->record_every);
  const char* text = !strcmp(key, "from")         ? c->from
                     : !strcmp(key, "controller") ? c->controller
                     : !strcmp(key, "learner")    ? c->learner
                     : !strcmp(key, "model")      ? c->model
                     : !strcmp(key, "store")      ? c->store
                                                  : NULL;
  if (text) snprintf(buf, n, "%s", text);
}

size_t sf_config_text(const sfRunConfig* c, char* buf, size_t n) {
  // the result-determining settings in their stored order; from only when there is one
  static const char* order[] = {"robots", "rounds", "seed",       "stitches", "join",  "mode",
                                "share",  "record", "controller", "learner",  "model", "from"};
  size_t len = (size_t)snprintf(buf, n, "[run]\n");
  for (size_t i = 0; i < sizeof(order) / sizeof(order[0]) && len < n; i++) {
    char value[4200];
    sf_config_value(c, sf_config_key_index(order[i]), value, sizeof(value));
    if (!strcmp(order[i], "from") && !value[0]) continue;
    len += (size_t)snprintf(buf + len, n - len, "%s = %s\n", order[i], value);
  }
  return len < n ? len : n - 1;
}

sftStatus sf_config_check_text(const sfRunConfig* c, sfError* e) {
  size_t n = 3 * 4096 + 4096;
  char* text = SF_CALLOC(n, 1);
  char* again = SF_CALLOC(n, 1);
  size_t len = sf_config_text(c, text, n);
  sfRunConfig back;
  sf_config_defaults(&back);
  sfError why = {{0}};
  sftStatus st = len < n ? sf_config_load_text(&back, text, "configuration", &why) : SF_ERR_INPUT;
  if (st == SF_OK) {
    sf_config_text(&back, again, n);
    st = strcmp(text, again) ? SF_ERR_INPUT : SF_OK;
  }
  if (st != SF_OK) {
    st = sf_fail(e, SF_ERR_INPUT,
                 "the run's configuration cannot be stored and read back (every "
                 "setting, paths included, must fit an INI line of %d characters)%s%s",
                 INI_MAX_LINE - 1, why.msg[0] ? ": " : "", why.msg);
  }
  free(text);
  free(again);
  return st;
}
