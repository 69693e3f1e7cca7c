// fuzz_store.c: structured libFuzzer harness for the store readers (sim/store.c and the code
// that uses what it reads).
//
// The fuzzer's bytes do not become the file: they are a program of edits to a small, valid
// store held in memory (the template: 2 robots in each cohort, 2 rounds, scripted-arc), which
// the harness then writes with the HDF5 API into a well-formed HDF5 file. So libhdf5's own
// parser always sees a valid file (it has known crash bugs on corrupt ones) and the fuzzer
// exercises our reading and validation of the content: any row field of /episodes, /robots and
// /knowledge, table lengths, the root attributes (missing, empty, variable-length, of another
// type or shape), the configuration text, and the tables' file types and shapes.
//
// The store is read with sf_store_read; on success the readers run on what it returned: the
// info summary (sf_cli_main info, text or JSON), learning curves (sf_curves for every metric,
// over one store and over two), sf_fleet_rounds_done, sf_fleet_pooled, and the --resume path
// (the stored configuration loaded and checked, and sf_fleet_run's resumed learning state for a
// store whose rounds are all done, so no episode is simulated). A failure must be SF_ERR_INPUT
// or SF_ERR_RUN with a message. Nothing named by the store is ever loaded: the controller is
// always the built-in scripted-arc and the scene the default model.
//
// With SF_FUZZ_VERBOSE set in the environment it prints what sf_store_read said of each input.
//
// Edit program: a flags byte, then records of an opcode byte and its operands (see sf_fz_edit);
// missing bytes read as zero.
#include <float.h>
#include <hdf5.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "cli.h"
#include "config.h"
#include "controller.h"
#include "curves.h"
#include "fleet.h"
#include "scene.h"
#include "skill.h"
#include "store.h"
#include "store_check.h"

#define SF_FZ_ROWS 64           // most rows a table can be given
#define SF_FZ_TEXT 1024         // longest fuzzed string attribute (bytes)
#define SF_FZ_CONFIG 4096       // longest fuzzed configuration text (bytes)
#define SF_FZ_RESUME_CELLS 512  // resume learning only for robots x rounds up to this

// ---------------------------------------------------------------------------------------------
// the fuzzer's bytes

// the bytes not yet consumed
typedef struct sfFzBytes_ {
  const uint8_t* p;
  size_t n;
} sfFzBytes;

// the next byte (0 once they run out)
static uint8_t sf_fz_u8(sfFzBytes* b) {
  if (!b->n) return 0;
  b->n--;
  return *b->p++;
}

// the next n bytes into out (zeros once they run out)
static void sf_fz_raw(sfFzBytes* b, void* out, size_t n) {
  uint8_t* o = out;
  for (size_t i = 0; i < n; i++) o[i] = sf_fz_u8(b);
}

// an int64: mostly a value that sits on a boundary somewhere in the readers, else raw bytes
static int64_t sf_fz_int(sfFzBytes* b) {
  static const int64_t kInts[] = {
      0,     1,      -1,     2,  3,  4,         5,         7,         8,         9,
      15,    16,     17,     23, 24, 63,        64,        65,        100,       1000,
      65535, 100000, 100001, -5, -2, INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, INT32_MAX - 1};
  uint8_t k = sf_fz_u8(b);
  size_t nk = sizeof(kInts) / sizeof(kInts[0]);
  if (k < 3 * nk) return kInts[k % nk];
  int64_t v;
  sf_fz_raw(b, &v, sizeof(v));
  return k & 1 ? (int32_t)v : v;
}

// a double: mostly a special or boundary value, else raw bytes
static double sf_fz_double(sfFzBytes* b) {
  static const double kDoubles[] = {0,         1,       -1,       0.5,     NAN,    INFINITY,
                                    -INFINITY, DBL_MAX, -DBL_MAX, DBL_MIN, 5e-324, 41.81,
                                    60,        122,     20,       1e9,     -0.0,   -1e9};
  uint8_t k = sf_fz_u8(b);
  size_t nk = sizeof(kDoubles) / sizeof(kDoubles[0]);
  if (k < 3 * nk) return kDoubles[k % nk];
  double v;
  sf_fz_raw(b, &v, sizeof(v));
  return v;
}

// a string of up to cap - 1 bytes (length byte, then the bytes; NUL-terminated)
static void sf_fz_text(sfFzBytes* b, char* out, size_t cap, size_t max) {
  size_t n = sf_fz_u8(b);
  if (n == 255) n = (size_t)sf_fz_u8(b) << 4;  // a long one
  if (n > max) n = max;
  if (n >= cap) n = cap - 1;
  sf_fz_raw(b, out, n);
  out[n] = 0;
}

// ---------------------------------------------------------------------------------------------
// the store in memory

// a field of a row: where, what type, how many
typedef enum sftFzKind_ { SF_FZ_I32, SF_FZ_I64, SF_FZ_F64, SF_FZ_U8, SF_FZ_STR } sftFzKind;
typedef struct sfFzField_ {
  size_t offset;
  int kind;   // sftFzKind
  int count;  // array length (1 for a scalar; bytes for a string)
} sfFzField;

#define SF_FZ_F(T, f, kind, count) \
  { offsetof(T, f), kind, count }
static const sfFzField kEpisodeFields[] = {
    SF_FZ_F(sfEpisodeRow, episode_id, SF_FZ_I64, 1),
    SF_FZ_F(sfEpisodeRow, round, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, robot, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, cohort, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, join_round, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, controller, SF_FZ_STR, SF_STORE_NAME_LEN),
    SF_FZ_F(sfEpisodeRow, controller_hash, SF_FZ_STR, SF_STORE_NAME_LEN),
    SF_FZ_F(sfEpisodeRow, steps, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, sim_time_s, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, stitches, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, first_pair, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, line_offset_mm, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, calib_bias_mm, SF_FZ_F64, 3),
    SF_FZ_F(sfEpisodeRow, n_theta, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, theta, SF_FZ_F64, SF_MAX_THETA),
    SF_FZ_F(sfEpisodeRow, entry_err_mm, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, exit_err_mm, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, time_s, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, throws_ok, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, insertions, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, trauma_mm2, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, peak_force_N, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, completed, SF_FZ_U8, 1),
    SF_FZ_F(sfEpisodeRow, diverged, SF_FZ_U8, 1),
    SF_FZ_F(sfEpisodeRow, fault, SF_FZ_U8, 1),
    SF_FZ_F(sfEpisodeRow, success, SF_FZ_U8, 1),
    SF_FZ_F(sfEpisodeRow, has_offsets, SF_FZ_U8, 1),
    SF_FZ_F(sfEpisodeRow, entry_off_mm, SF_FZ_F64, 3),
    SF_FZ_F(sfEpisodeRow, exit_off_mm, SF_FZ_F64, 3),
    SF_FZ_F(sfEpisodeRow, score, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, cut_through, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, wound_closure, SF_FZ_F64, 1),
    SF_FZ_F(sfEpisodeRow, handovers, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, handovers_failed, SF_FZ_I32, 1),
    SF_FZ_F(sfEpisodeRow, handover_time_s, SF_FZ_F64, 1),
};
static const sfFzField kRobotFields[] = {
    SF_FZ_F(sfRobotRow, robot, SF_FZ_I32, 1),
    SF_FZ_F(sfRobotRow, cohort, SF_FZ_I32, 1),
    SF_FZ_F(sfRobotRow, join_round, SF_FZ_I32, 1),
    SF_FZ_F(sfRobotRow, context_robot, SF_FZ_I32, 1),
    SF_FZ_F(sfRobotRow, calib_bias_mm, SF_FZ_F64, 3),
    SF_FZ_F(sfRobotRow, calib_rot_deg, SF_FZ_F64, 3),
};
static const sfFzField kKnowledgeFields[] = {
    SF_FZ_F(sfKnowledgeRow, round, SF_FZ_I32, 1),
    SF_FZ_F(sfKnowledgeRow, cohort, SF_FZ_I32, 1),
    SF_FZ_F(sfKnowledgeRow, robot, SF_FZ_I32, 1),
    SF_FZ_F(sfKnowledgeRow, episodes, SF_FZ_I64, 1),
    SF_FZ_F(sfKnowledgeRow, n_theta, SF_FZ_I32, 1),
    SF_FZ_F(sfKnowledgeRow, mean, SF_FZ_F64, SF_MAX_THETA),
    SF_FZ_F(sfKnowledgeRow, sd, SF_FZ_F64, SF_MAX_THETA),
};
#undef SF_FZ_F

// the tables: fields, row sizes, names
static const sfFzField* const kFields[SF_NTABLE] = {kEpisodeFields, kRobotFields, kKnowledgeFields};
static const int kNFields[SF_NTABLE] = {sizeof(kEpisodeFields) / sizeof(sfFzField),
                                        sizeof(kRobotFields) / sizeof(sfFzField),
                                        sizeof(kKnowledgeFields) / sizeof(sfFzField)};
static const size_t kRowSize[SF_NTABLE] = {sizeof(sfEpisodeRow), sizeof(sfRobotRow),
                                           sizeof(sfKnowledgeRow)};
static const char* const kTableName[SF_NTABLE] = {"episodes", "robots", "knowledge"};

// how a table is stored
typedef enum sftFzShape_ {
  SF_FZ_SHAPE_TABLE = 0,  // as the writer does: chunked, unlimited 1-D compound dataset
  SF_FZ_SHAPE_MISSING,    // no dataset
  SF_FZ_SHAPE_2D,         // rows x 2 compound dataset
  SF_FZ_SHAPE_SCALAR,     // a scalar compound dataset (one row)
  SF_FZ_SHAPE_INTS,       // 1-D int32 dataset
  SF_FZ_SHAPE_FIXED,      // contiguous fixed-size 1-D compound dataset
  SF_FZ_SHAPE_GROUP,      // a group of that name
  SF_FZ_NSHAPE
} sftFzShape;

// how a table's compound file type differs from the writer's
typedef enum sftFzType_ {
  SF_FZ_TYPE_SAME = 0,  // the writer's (packed memory type)
  SF_FZ_TYPE_DROP,      // one member left out
  SF_FZ_TYPE_RETYPE,    // one member of another type
  SF_FZ_NTYPE
} sftFzType;

// the root attributes the writer sets
enum {
  SF_FZ_A_FORMAT = 0,
  SF_FZ_A_SCHEMA,
  SF_FZ_A_SEED,
  SF_FZ_A_MODEL_HASH,
  SF_FZ_A_MUJOCO,
  SF_FZ_A_CONFIG,
  SF_FZ_A_CONTROLLER,
  SF_FZ_A_HASH,
  SF_FZ_A_SKILLS,
  SF_FZ_A_VERSION,
  SF_FZ_A_MODEL_PATH,
  SF_FZ_NATTR
};
static const char* const kAttrName[SF_FZ_NATTR] = {
    "format",         "schema_version",      "seed",       "model_hash",
    "mujoco_version", "configuration",       "controller", "controller_hash",
    "skill_names",    "suturefleet_version", "model_path"};

// how an attribute is stored
typedef enum sftFzAttrKind_ {
  SF_FZ_ATTR_MISSING = 0,
  SF_FZ_ATTR_STRING,   // fixed-length string (NUL-terminated, NUL- or space-padded)
  SF_FZ_ATTR_VLEN,     // variable-length string
  SF_FZ_ATTR_I32,      // int32 scalar
  SF_FZ_ATTR_U64,      // uint64 scalar
  SF_FZ_ATTR_F64,      // double scalar
  SF_FZ_ATTR_I8,       // int8 scalar
  SF_FZ_ATTR_STRINGS,  // 1-D fixed-length string array of 3
  SF_FZ_ATTR_INTS,     // 1-D uint64 array of 3
  SF_FZ_ATTR_NULL,     // null dataspace string
  SF_FZ_NATTR_KIND
} sftFzAttrKind;

typedef struct sfFzAttr_ {
  int kind;  // sftFzAttrKind
  int pad;   // H5T_str_t of a fixed string
  char text[SF_FZ_CONFIG + 1];
  int64_t value;  // integer kinds
  double real;    // SF_FZ_ATTR_F64
} sfFzAttr;

// everything the harness writes
typedef struct sfFzStore_ {
  void* rows[SF_NTABLE];  // SF_FZ_ROWS rows each
  long n[SF_NTABLE];
  int shape[SF_NTABLE];   // sftFzShape
  int type[SF_NTABLE];    // sftFzType
  int member[SF_NTABLE];  // the member a type change applies to
  sfFzAttr attr[SF_FZ_NATTR];
} sfFzStore;

// the configuration of the template: keys in sf_config_text's order, and their values
static const char* const kConfigKey[] = {"robots",  "rounds", "seed",       "stitches", "join",
                                         "mode",    "record", "controller", "model",    "from",
                                         "threads", "store",  "bogus"};
#define SF_FZ_NKEY ((int)(sizeof(kConfigKey) / sizeof(kConfigKey[0])))

// values a configuration key is often given
static const char* const kConfigValue[] = {"0",
                                           "1",
                                           "2",
                                           "3",
                                           "4",
                                           "5",
                                           "-1",
                                           "100000",
                                           "100001",
                                           "2147483647",
                                           "18446744073709551615",
                                           "1@1",
                                           "2@1,2@1",
                                           "1@2",
                                           "none",
                                           "fleet",
                                           "solo",
                                           "both",
                                           "all",
                                           "every:1",
                                           "every:3",
                                           "scripted-arc",
                                           "template",
                                           "./x.so",
                                           "",
                                           "16",
                                           "24"};

// ---------------------------------------------------------------------------------------------
// the template

// scripted-arc (a built-in loads no file: opened once, never closed)
static const sfController* sf_fz_controller(void) {
  static sfController c;
  sfError e = {{0}};
  if (!c.api) SF_ASSERT(sf_controller_open("scripted-arc", &c, &e) == SF_OK);
  return &c;
}

// the default scene, loaded once
static const sfScene* sf_fz_scene(void) {
  static sfScene s;
  static int loaded;
  sfError e = {{0}};
  if (!loaded) SF_ASSERT(sf_scene_load(&s, sf_scene_default_path(), &e) == SF_OK);
  loaded = 1;
  return &s;
}

// a fixed-string attribute
static void sf_fz_attr_text(sfFzAttr* a, const char* text) {
  a->kind = SF_FZ_ATTR_STRING;
  a->pad = H5T_STR_NULLTERM;
  size_t n = strlen(text);
  if (n >= sizeof(a->text)) n = sizeof(a->text) - 1;
  memcpy(a->text, text, n);
  a->text[n] = 0;
}

// the template configuration: 2 robots per cohort, 2 rounds, nobody joining
static void sf_fz_template_config(sfRunConfig* c) {
  sf_config_defaults(c);
  c->robots = 2;
  c->rounds = 2;
  c->njoin = 0;
  c->join_given = 1;
  c->record_every = 0;
  c->threads = 1;
}

// fill s with the template store, as a run of sf_fz_template_config writes it
static void sf_fz_template(sfFzStore* s) {
  const sfController* ctrl = sf_fz_controller();
  const sfSkillDef* def = &ctrl->skill;
  sfRunConfig c;
  sf_fz_template_config(&c);
  for (int t = 0; t < SF_NTABLE; t++) {
    memset(s->rows[t], 0, SF_FZ_ROWS * kRowSize[t]);
    s->shape[t] = SF_FZ_SHAPE_TABLE;
    s->type[t] = SF_FZ_TYPE_SAME;
    s->member[t] = 0;
  }

  // robots, then one episode per robot and round
  sfRobotRow* robots = s->rows[SF_TABLE_ROBOTS];
  int nrobot = sf_robots_list(&c, robots, SF_FZ_ROWS);
  s->n[SF_TABLE_ROBOTS] = nrobot;
  sfEpisodeRow* ep = s->rows[SF_TABLE_EPISODES];
  long ne = 0;
  for (int r = 0; r < c.rounds; r++) {
    for (int i = 0; i < nrobot; i++, ne++) {
      sfEpisodeRow* x = &ep[ne];
      x->episode_id = ne, x->round = r, x->robot = i;
      x->cohort = robots[i].cohort, x->join_round = robots[i].join_round;
      snprintf(x->controller, sizeof(x->controller), "%s", ctrl->name);
      snprintf(x->controller_hash, sizeof(x->controller_hash), "%s", ctrl->file.hash);
      x->steps = 4000 + (int)ne, x->sim_time_s = 8, x->stitches = 1, x->first_pair = 0;
      x->n_theta = def->n;
      for (int j = 0; j < SF_MAX_THETA; j++) x->theta[j] = j < def->n ? def->ref[j] : NAN;
      x->entry_err_mm = 0.5 + 0.1 * (double)i, x->exit_err_mm = NAN, x->time_s = 8;
      x->throws_ok = (int)(ne & 1), x->insertions = 1, x->trauma_mm2 = 3, x->peak_force_N = 1;
      x->completed = x->success = (uint8_t)(ne & 1), x->has_offsets = 1;
      x->score = (double)(ne & 1) * 10;
    }
  }
  s->n[SF_TABLE_EPISODES] = ne;

  // knowledge at the start and after each round: the fleet's pooled, then each solo robot's
  sfKnowledgeRow* k = s->rows[SF_TABLE_KNOWLEDGE];
  long nk = 0;
  for (int r = -1; r < c.rounds; r++) {
    for (int i = -1; i < nrobot; i++) {
      if (i >= 0 && robots[i].cohort != SF_COHORT_SOLO) continue;
      sfKnowledgeRow* x = &k[nk++];
      x->round = r, x->cohort = i < 0 ? SF_COHORT_FLEET : SF_COHORT_SOLO, x->robot = i;
      x->episodes = (r + 1) * (i < 0 ? 2 : 1), x->n_theta = def->n;
      for (int j = 0; j < SF_MAX_THETA; j++) {
        x->mean[j] = j < def->n ? def->prior_mean[j] : NAN;
        x->sd[j] = j < def->n ? def->prior_sd[j] : NAN;
      }
    }
  }
  s->n[SF_TABLE_KNOWLEDGE] = nk;

  // root attributes
  char text[8192], names[2048];
  sf_config_text(&c, text, sizeof(text));
  sf_skill_names(def, names, sizeof(names));
  sfFzAttr* a = s->attr;
  sf_fz_attr_text(&a[SF_FZ_A_FORMAT], SF_STORE_FORMAT);
  a[SF_FZ_A_SCHEMA] = (sfFzAttr){.kind = SF_FZ_ATTR_I32, .value = SF_STORE_SCHEMA};
  a[SF_FZ_A_SEED] = (sfFzAttr){.kind = SF_FZ_ATTR_U64, .value = 1};
  sf_fz_attr_text(&a[SF_FZ_A_MODEL_HASH], "0123456789abcdef");
  sf_fz_attr_text(&a[SF_FZ_A_MUJOCO], "2.3.7");
  sf_fz_attr_text(&a[SF_FZ_A_CONFIG], text);
  sf_fz_attr_text(&a[SF_FZ_A_CONTROLLER], ctrl->name);
  sf_fz_attr_text(&a[SF_FZ_A_HASH], ctrl->file.hash);
  sf_fz_attr_text(&a[SF_FZ_A_SKILLS], names);
  sf_fz_attr_text(&a[SF_FZ_A_VERSION], SF_VERSION);
  sf_fz_attr_text(&a[SF_FZ_A_MODEL_PATH], c.model);
}

// ---------------------------------------------------------------------------------------------
// edits

// set field f (element chosen by the bytes) of a row to a value from the bytes
static void sf_fz_set_field(sfFzBytes* b, void* row, const sfFzField* f) {
  uint8_t* p = (uint8_t*)row + f->offset;
  int i = f->kind == SF_FZ_STR ? 0 : sf_fz_u8(b) % f->count;
  switch (f->kind) {
    case SF_FZ_I32: {
      int32_t v = (int32_t)sf_fz_int(b);
      memcpy(p + i * sizeof(v), &v, sizeof(v));
      break;
    }
    case SF_FZ_I64: {
      int64_t v = sf_fz_int(b);
      memcpy(p + i * sizeof(v), &v, sizeof(v));
      break;
    }
    case SF_FZ_F64: {
      double v = sf_fz_double(b);
      memcpy(p + i * sizeof(v), &v, sizeof(v));
      break;
    }
    case SF_FZ_U8:
      p[i] = sf_fz_u8(b);
      break;
    default: {
      char text[SF_FZ_TEXT + 1];
      sf_fz_text(b, text, sizeof(text), (size_t)f->count);
      memset(p, 0, (size_t)f->count);
      memcpy(p, text, strlen(text) < (size_t)f->count ? strlen(text) : (size_t)f->count);
    }
  }
}

// set table t to n rows: new rows repeat the existing ones in order (zeros if there were none)
static void sf_fz_resize(sfFzStore* s, int t, long n) {
  uint8_t* rows = s->rows[t];
  long old = s->n[t];
  for (long i = old; i < n; i++) {
    if (old)
      memcpy(rows + i * kRowSize[t], rows + (i % old) * kRowSize[t], kRowSize[t]);
    else
      memset(rows + i * kRowSize[t], 0, kRowSize[t]);
  }
  s->n[t] = n;
}

// the configuration attribute with the line of key k set to value (appended if it has none)
static void sf_fz_config_set(sfFzAttr* a, const char* key, const char* value) {
  char out[SF_FZ_CONFIG + 1], *line = a->text;
  size_t used = 0, klen = strlen(key);
  int done = 0;
  out[0] = 0;
  while (*line) {
    char* end = strchr(line, '\n');
    size_t len = end ? (size_t)(end - line) + 1 : strlen(line);
    int match = !done && !strncmp(line, key, klen) && !strncmp(line + klen, " = ", 3);
    if (match) {
      used += (size_t)snprintf(out + used, sizeof(out) - used, "%s = %s\n", key, value);
      done = 1;
    } else {
      used += (size_t)snprintf(out + used, sizeof(out) - used, "%.*s", (int)len, line);
    }
    if (used >= sizeof(out)) used = sizeof(out) - 1;
    line += len;
  }
  if (!done) snprintf(out + used, sizeof(out) - used, "%s = %s\n", key, value);
  memcpy(a->text, out, sizeof(out));
  a->text[SF_FZ_CONFIG] = 0;
}

// set attribute a from the bytes: its kind, and its text or value
static void sf_fz_set_attr(sfFzBytes* b, sfFzAttr* a) {
  a->kind = sf_fz_u8(b) % SF_FZ_NATTR_KIND;
  static const int kPad[3] = {H5T_STR_NULLTERM, H5T_STR_NULLPAD, H5T_STR_SPACEPAD};
  a->pad = kPad[sf_fz_u8(b) % 3];
  if (a->kind == SF_FZ_ATTR_F64) a->real = sf_fz_double(b);
  if (a->kind == SF_FZ_ATTR_I32 || a->kind == SF_FZ_ATTR_U64 || a->kind == SF_FZ_ATTR_I8 ||
      a->kind == SF_FZ_ATTR_INTS) {
    a->value = sf_fz_int(b);
  }
  if (a->kind == SF_FZ_ATTR_STRING || a->kind == SF_FZ_ATTR_VLEN || a->kind == SF_FZ_ATTR_STRINGS) {
    sf_fz_text(b, a->text, sizeof(a->text), SF_FZ_CONFIG);
  }
}

// the opcodes of the edit program
enum {
  SF_FZ_OP_EPISODE = 0,  // row, field, [element], value: set an /episodes field
  SF_FZ_OP_ROBOT,        // likewise for /robots
  SF_FZ_OP_KNOWLEDGE,    // likewise for /knowledge
  SF_FZ_OP_LENGTH,       // table, rows: resize a table
  SF_FZ_OP_COPY,         // table, to, from: copy a row over another
  SF_FZ_OP_ATTR,         // attribute, kind, pad, text or value: replace a root attribute
  SF_FZ_OP_CONFIG_KEY,   // key, value choice [, text]: set a configuration line
  SF_FZ_OP_CONFIG_TEXT,  // text: replace the whole configuration text
  SF_FZ_OP_SHAPE,        // table, shape: store a table in another way
  SF_FZ_OP_TYPE,         // table, change, member: change a table's file type
  SF_FZ_NOP
};

// apply one edit record from the bytes to s
static void sf_fz_edit(sfFzBytes* b, sfFzStore* s) {
  int op = sf_fz_u8(b) % SF_FZ_NOP;
  if (op <= SF_FZ_OP_KNOWLEDGE) {
    int t = op == SF_FZ_OP_EPISODE ? SF_TABLE_EPISODES
            : op == SF_FZ_OP_ROBOT ? SF_TABLE_ROBOTS
                                   : SF_TABLE_KNOWLEDGE;
    uint8_t row = sf_fz_u8(b), field = sf_fz_u8(b);
    if (!s->n[t]) return;
    void* r = (uint8_t*)s->rows[t] + (row % s->n[t]) * kRowSize[t];
    sf_fz_set_field(b, r, &kFields[t][field % kNFields[t]]);
  } else if (op == SF_FZ_OP_LENGTH) {
    int t = sf_fz_u8(b) % SF_NTABLE;
    sf_fz_resize(s, t, sf_fz_u8(b) % (SF_FZ_ROWS + 1));
  } else if (op == SF_FZ_OP_COPY) {
    int t = sf_fz_u8(b) % SF_NTABLE;
    uint8_t to = sf_fz_u8(b), from = sf_fz_u8(b);
    uint8_t* rows = s->rows[t];
    if (s->n[t]) {
      memcpy(rows + (to % s->n[t]) * kRowSize[t], rows + (from % s->n[t]) * kRowSize[t],
             kRowSize[t]);
    }
  } else if (op == SF_FZ_OP_ATTR) {
    sf_fz_set_attr(b, &s->attr[sf_fz_u8(b) % SF_FZ_NATTR]);
  } else if (op == SF_FZ_OP_CONFIG_KEY) {
    const char* key = kConfigKey[sf_fz_u8(b) % SF_FZ_NKEY];
    uint8_t v = sf_fz_u8(b);
    size_t nv = sizeof(kConfigValue) / sizeof(kConfigValue[0]);
    char text[SF_FZ_TEXT + 1];
    if (v < nv) {
      snprintf(text, sizeof(text), "%s", kConfigValue[v]);
    } else {
      sf_fz_text(b, text, sizeof(text), SF_FZ_TEXT);
      for (char* c = text; *c; c++) *c = *c == '\n' ? ' ' : *c;
    }
    sf_fz_config_set(&s->attr[SF_FZ_A_CONFIG], key, text);
  } else if (op == SF_FZ_OP_CONFIG_TEXT) {
    sf_fz_text(b, s->attr[SF_FZ_A_CONFIG].text, sizeof(s->attr[0].text), SF_FZ_CONFIG);
  } else if (op == SF_FZ_OP_SHAPE) {
    int t = sf_fz_u8(b) % SF_NTABLE;
    s->shape[t] = sf_fz_u8(b) % SF_FZ_NSHAPE;
  } else {
    int t = sf_fz_u8(b) % SF_NTABLE;
    s->type[t] = sf_fz_u8(b) % SF_FZ_NTYPE;
    s->member[t] = sf_fz_u8(b);
  }
}

// ---------------------------------------------------------------------------------------------
// writing the file (HDF5 API, every id checked and closed)

// the in-memory compound type of table t, as the store writes it; < 0 on failure
static hid_t sf_fz_row_type(int t) {
  hsize_t n3 = 3, nth = SF_MAX_THETA;
  hid_t name = H5Tcopy(H5T_C_S1), a3 = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &n3);
  hid_t ath = H5Tarray_create2(H5T_NATIVE_DOUBLE, 1, &nth);
  hid_t type = H5Tcreate(H5T_COMPOUND, kRowSize[t]);
  herr_t rc = name >= 0 && a3 >= 0 && ath >= 0 && type >= 0 ? 0 : -1;
  if (rc >= 0) rc = H5Tset_size(name, SF_STORE_NAME_LEN);
#define SF_FZ_M(T, f, mt) \
  if (rc >= 0) rc = H5Tinsert(type, #f, HOFFSET(T, f), mt)
  if (t == SF_TABLE_EPISODES) {
    SF_FZ_M(sfEpisodeRow, episode_id, H5T_NATIVE_INT64);
    SF_FZ_M(sfEpisodeRow, round, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, robot, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, cohort, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, join_round, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, controller, name);
    SF_FZ_M(sfEpisodeRow, controller_hash, name);
    SF_FZ_M(sfEpisodeRow, steps, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, sim_time_s, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, stitches, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, first_pair, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, line_offset_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, grasp_angle_deg, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, grasp_tilt_deg, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, puncture_N, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, indent_k_N_m, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, friction_Ns_m2, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, cut_N, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, lateral_k_N_m2, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, tear_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, calib_bias_mm, a3);
    SF_FZ_M(sfEpisodeRow, calib_rot_deg, a3);
    SF_FZ_M(sfEpisodeRow, n_theta, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, theta, ath);
    SF_FZ_M(sfEpisodeRow, entry_err_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, exit_err_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, tip_out_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, time_s, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, throws_ok, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, spacing_mean_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, spacing_sd_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, bite_mm, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, insertions, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, regrasp_failures, H5T_NATIVE_INT32);
    SF_FZ_M(sfEpisodeRow, trauma_mm2, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, peak_force_N, H5T_NATIVE_DOUBLE);
    SF_FZ_M(sfEpisodeRow, completed, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, dropped, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, diverged, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, fault, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, success, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, has_offsets, H5T_NATIVE_UINT8);
    SF_FZ_M(sfEpisodeRow, entry_off_mm, a3);
    SF_FZ_M(sfEpisodeRow, exit_off_mm, a3);
    SF_FZ_M(sfEpisodeRow, score, H5T_NATIVE_DOUBLE);
  } else if (t == SF_TABLE_ROBOTS) {
    SF_FZ_M(sfRobotRow, robot, H5T_NATIVE_INT32);
    SF_FZ_M(sfRobotRow, cohort, H5T_NATIVE_INT32);
    SF_FZ_M(sfRobotRow, join_round, H5T_NATIVE_INT32);
    SF_FZ_M(sfRobotRow, context_robot, H5T_NATIVE_INT32);
    SF_FZ_M(sfRobotRow, calib_bias_mm, a3);
    SF_FZ_M(sfRobotRow, calib_rot_deg, a3);
  } else {
    SF_FZ_M(sfKnowledgeRow, round, H5T_NATIVE_INT32);
    SF_FZ_M(sfKnowledgeRow, cohort, H5T_NATIVE_INT32);
    SF_FZ_M(sfKnowledgeRow, robot, H5T_NATIVE_INT32);
    SF_FZ_M(sfKnowledgeRow, episodes, H5T_NATIVE_INT64);
    SF_FZ_M(sfKnowledgeRow, n_theta, H5T_NATIVE_INT32);
    SF_FZ_M(sfKnowledgeRow, mean, ath);
    SF_FZ_M(sfKnowledgeRow, sd, ath);
  }
#undef SF_FZ_M
  if (name >= 0) H5Tclose(name);
  if (a3 >= 0) H5Tclose(a3);
  if (ath >= 0) H5Tclose(ath);
  if (rc < 0 && type >= 0) H5Tclose(type);
  return rc < 0 ? -1 : type;
}

// another type for a member of type mt: int <-> double, a shorter string or array; < 0 on
// failure
static hid_t sf_fz_other_type(hid_t mt) {
  H5T_class_t c = H5Tget_class(mt);
  if (c == H5T_INTEGER) return H5Tcopy(H5Tget_size(mt) == 1 ? H5T_NATIVE_INT64 : H5T_NATIVE_DOUBLE);
  if (c == H5T_FLOAT) return H5Tcopy(H5T_NATIVE_INT32);
  if (c == H5T_STRING) {
    hid_t s = H5Tcopy(H5T_C_S1);
    if (s >= 0 && H5Tset_size(s, 4) < 0) H5Tclose(s), s = -1;
    return s;
  }
  hsize_t n[1] = {0};
  if (c != H5T_ARRAY || H5Tget_array_ndims(mt) != 1 || H5Tget_array_dims2(mt, n) < 0) return -1;
  return H5Tarray_create2(H5T_NATIVE_FLOAT, 1, n);
}

// the file type of table t in store s (the packed row type, possibly changed); < 0 on failure
static hid_t sf_fz_file_type(const sfFzStore* s, int t, hid_t row) {
  if (s->type[t] == SF_FZ_TYPE_SAME) {
    hid_t ft = H5Tcopy(row);
    if (ft >= 0 && H5Tpack(ft) < 0) H5Tclose(ft), ft = -1;
    return ft;
  }

  // rebuild member by member, leaving out or retyping one
  int nm = H5Tget_nmembers(row);
  int skip = nm > 0 ? s->member[t] % nm : 0;
  size_t size = 0;
  for (int i = 0; i < nm; i++) {
    hid_t mt = H5Tget_member_type(row, (unsigned)i);
    hid_t use = i == skip && s->type[t] == SF_FZ_TYPE_RETYPE ? sf_fz_other_type(mt) : H5Tcopy(mt);
    if (use >= 0 && !(i == skip && s->type[t] == SF_FZ_TYPE_DROP)) size += H5Tget_size(use);
    if (use >= 0) H5Tclose(use);
    if (mt >= 0) H5Tclose(mt);
  }
  hid_t ft = H5Tcreate(H5T_COMPOUND, size ? size : 1);
  herr_t rc = ft >= 0 ? 0 : -1;
  size_t off = 0;
  for (int i = 0; rc >= 0 && i < nm; i++) {
    if (i == skip && s->type[t] == SF_FZ_TYPE_DROP) continue;
    hid_t mt = H5Tget_member_type(row, (unsigned)i);
    hid_t use = i == skip ? sf_fz_other_type(mt) : H5Tcopy(mt);
    char* name = H5Tget_member_name(row, (unsigned)i);
    rc = mt >= 0 && use >= 0 && name ? H5Tinsert(ft, name, off, use) : -1;
    if (use >= 0) off += H5Tget_size(use);
    if (name) H5free_memory(name);
    if (use >= 0) H5Tclose(use);
    if (mt >= 0) H5Tclose(mt);
  }
  if (rc < 0 && ft >= 0) H5Tclose(ft);
  return rc < 0 ? -1 : ft;
}

// write table t of s into file; < 0 on failure
static herr_t sf_fz_write_table(hid_t file, const sfFzStore* s, int t) {
  int shape = s->shape[t];
  if (shape == SF_FZ_SHAPE_MISSING) return 0;
  if (shape == SF_FZ_SHAPE_GROUP) {
    hid_t g = H5Gcreate2(file, kTableName[t], H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT);
    return g < 0 ? -1 : H5Gclose(g);
  }
  hsize_t n = (hsize_t)s->n[t];
  if (shape == SF_FZ_SHAPE_SCALAR && n == 0) n = 1;  // the scalar's row is the zero row

  // dataspace, layout and types for the shape
  hsize_t dims[2] = {n, 2}, maxdims[2] = {H5S_UNLIMITED, 2}, chunk[2] = {16, 2};
  hid_t space = shape == SF_FZ_SHAPE_SCALAR  ? H5Screate(H5S_SCALAR)
                : shape == SF_FZ_SHAPE_2D    ? H5Screate_simple(2, dims, maxdims)
                : shape == SF_FZ_SHAPE_FIXED ? H5Screate_simple(1, dims, NULL)
                                             : H5Screate_simple(1, dims, maxdims);
  hid_t dcpl = H5Pcreate(H5P_DATASET_CREATE);
  herr_t rc = space >= 0 && dcpl >= 0 ? 0 : -1;
  if (rc >= 0 && shape != SF_FZ_SHAPE_SCALAR && shape != SF_FZ_SHAPE_FIXED) {
    rc = H5Pset_chunk(dcpl, shape == SF_FZ_SHAPE_2D ? 2 : 1, chunk);
  }
  hid_t row = sf_fz_row_type(t);
  hid_t mtype = shape == SF_FZ_SHAPE_INTS ? H5Tcopy(H5T_NATIVE_INT32)
                : row >= 0                ? H5Tcopy(row)
                                          : -1;
  hid_t ftype = shape == SF_FZ_SHAPE_INTS ? H5Tcopy(H5T_STD_I32LE)
                : row >= 0                ? sf_fz_file_type(s, t, row)
                                          : -1;
  if (mtype < 0 || ftype < 0) rc = -1;
  hid_t ds =
      rc >= 0 ? H5Dcreate2(file, kTableName[t], ftype, space, H5P_DEFAULT, dcpl, H5P_DEFAULT) : -1;
  if (ds < 0) rc = -1;

  // the rows (a 2-D table repeats each row; ints are the rows' first 4 bytes)
  if (rc >= 0 && n > 0) {
    size_t esize = H5Tget_size(mtype), count = shape == SF_FZ_SHAPE_2D ? 2 * n : n;
    uint8_t* buf = calloc(count, esize);
    for (size_t i = 0; buf && i < count; i++) {
      size_t r = shape == SF_FZ_SHAPE_2D ? i / 2 : i;
      if ((long)r < s->n[t]) memcpy(buf + i * esize, (uint8_t*)s->rows[t] + r * kRowSize[t], esize);
    }
    rc = buf ? H5Dwrite(ds, mtype, H5S_ALL, H5S_ALL, H5P_DEFAULT, buf) : -1;
    free(buf);
  }
  if (ds >= 0) H5Dclose(ds);
  if (ftype >= 0) H5Tclose(ftype);
  if (mtype >= 0) H5Tclose(mtype);
  if (row >= 0) H5Tclose(row);
  if (dcpl >= 0) H5Pclose(dcpl);
  if (space >= 0) H5Sclose(space);
  return rc;
}

// write attribute a named name on loc; < 0 on failure
static herr_t sf_fz_write_attr(hid_t loc, const char* name, const sfFzAttr* a) {
  if (a->kind == SF_FZ_ATTR_MISSING) return 0;
  hsize_t three = 3;
  int array = a->kind == SF_FZ_ATTR_STRINGS || a->kind == SF_FZ_ATTR_INTS;
  hid_t space = a->kind == SF_FZ_ATTR_NULL ? H5Screate(H5S_NULL)
                : array                    ? H5Screate_simple(1, &three, NULL)
                                           : H5Screate(H5S_SCALAR);

  // the type and the value(s) in memory
  size_t len = strlen(a->text);
  hid_t type = -1;
  const void* value = &a->value;
  const char* vlen = a->text;
  int8_t i8 = (int8_t)a->value;
  int32_t i32 = (int32_t)a->value;
  uint64_t u64[3] = {(uint64_t)a->value, (uint64_t)a->value, (uint64_t)a->value};
  char* strings = NULL;
  switch (a->kind) {
    case SF_FZ_ATTR_VLEN:
      type = H5Tcopy(H5T_C_S1);
      if (type >= 0 && H5Tset_size(type, H5T_VARIABLE) < 0) H5Tclose(type), type = -1;
      value = &vlen;
      break;
    case SF_FZ_ATTR_I32:
      type = H5Tcopy(H5T_NATIVE_INT32), value = &i32;
      break;
    case SF_FZ_ATTR_U64:
    case SF_FZ_ATTR_INTS:
      type = H5Tcopy(H5T_NATIVE_UINT64), value = u64;
      break;
    case SF_FZ_ATTR_F64:
      type = H5Tcopy(H5T_NATIVE_DOUBLE), value = &a->real;
      break;
    case SF_FZ_ATTR_I8:
      type = H5Tcopy(H5T_NATIVE_INT8), value = &i8;
      break;
    default: {  // fixed strings: one, three or none
      size_t size = len + (a->pad == H5T_STR_NULLTERM || !len ? 1 : 0);
      type = H5Tcopy(H5T_C_S1);
      if (type >= 0 && (H5Tset_size(type, size) < 0 || H5Tset_strpad(type, a->pad) < 0)) {
        H5Tclose(type), type = -1;
      }
      strings = calloc(3, size);
      for (int i = 0; strings && i < 3; i++) memcpy(strings + i * size, a->text, len);
      value = strings;
    }
  }
  herr_t rc = space >= 0 && type >= 0 && value ? 0 : -1;
  hid_t attr = rc >= 0 ? H5Acreate2(loc, name, type, space, H5P_DEFAULT, H5P_DEFAULT) : -1;
  if (attr < 0) rc = -1;
  if (rc >= 0 && a->kind != SF_FZ_ATTR_NULL) rc = H5Awrite(attr, type, value);
  free(strings);
  if (attr >= 0) H5Aclose(attr);
  if (type >= 0) H5Tclose(type);
  if (space >= 0) H5Sclose(space);
  return rc;
}

// write s to a new file at path (replacing it); < 0 on failure
static herr_t sf_fz_write(const sfFzStore* s, const char* path) {
  hid_t fapl = H5Pcreate(H5P_FILE_ACCESS);
  herr_t rc = fapl >= 0 ? H5Pset_libver_bounds(fapl, H5F_LIBVER_LATEST, H5F_LIBVER_LATEST) : -1;
  if (rc >= 0) rc = H5Pset_file_locking(fapl, 0, 1);
  hid_t file = rc >= 0 ? H5Fcreate(path, H5F_ACC_TRUNC, H5P_DEFAULT, fapl) : -1;
  if (fapl >= 0) H5Pclose(fapl);
  if (file < 0) return -1;
  rc = 0;
  for (int i = 0; rc >= 0 && i < SF_FZ_NATTR; i++) {
    rc = sf_fz_write_attr(file, kAttrName[i], &s->attr[i]);
  }
  for (int t = 0; rc >= 0 && t < SF_NTABLE; t++) rc = sf_fz_write_table(file, s, t);
  if (H5Fclose(file) < 0) rc = -1;
  return rc;
}

// ---------------------------------------------------------------------------------------------
// the readers

// a failure's contract: an error status with a message
static void sf_fz_failed(sftStatus st, const sfError* e) {
  SF_FUZZ_EXPECT((st == SF_ERR_INPUT || st == SF_ERR_RUN) && e->msg[0]);
}

// suturefleet info STORE [--json], output dropped; returns its exit code
static int sf_fz_info(const char* path, int json) {
  static FILE* null;
  if (!null) null = fopen("/dev/null", "w");
  SF_ASSERT(null);
  char* argv[] = {"suturefleet", "info", (char*)path, json ? "--json" : NULL, NULL};
  int code = sf_cli_main(json ? 4 : 3, argv, null, null);
  SF_FUZZ_EXPECT(code == 0 || code == 1 || code == 2);
  return code;
}

// learning curves of every metric over the store (and over two copies), written as CSV
static void sf_fz_curves(const sfStoreData* d, int two) {
  static FILE* null;
  if (!null) null = fopen("/dev/null", "w");
  SF_ASSERT(null);
  sfStoreData pair[2] = {*d, *d};
  for (int m = 0; m < SF_NMETRIC; m++) {
    sfCurvePoint* p = NULL;
    int n = 0;
    sfError e = {{0}};
    sftStatus st = sf_curves(pair, two ? 2 : 1, m, &p, &n, &e);
    if (st == SF_OK) {
      SF_FUZZ_EXPECT(n >= 0);
      sf_curves_csv(null, m, p, n);
    } else {
      sf_fz_failed(st, &e);
    }
    free(p);
  }
}

// what run --resume does with a store it read: its configuration loaded and checked (threads
// from the command line), then the resumed learning state when no round is left to simulate
static void sf_fz_resume(const char* path, const sfStoreData* d) {
  sfRunConfig c;
  sfError e = {{0}};
  sftStatus st = sf_store_config(d, path, &c, &e);
  if (st == SF_OK) st = sf_config_check(&c, &e);
  if (st != SF_OK) {
    sf_fz_failed(st, &e);
    return;
  }
  c.threads = 1;
  c.resume = 1;

  // the rows a resumed run keeps (sf_cli_open_store)
  int done = sf_fleet_rounds_done(d);
  long keep[SF_NTABLE] = {0, d->nrobots, 0};
  while (keep[0] < d->nepisodes && d->episodes[keep[0]].round <= done) keep[0]++;
  while (keep[2] < d->nknowledge && d->knowledge[keep[2]].round <= done) keep[2]++;

  // the learning state, when nothing is left to simulate and it is small
  const sfScene* s = sf_fz_scene();
  long robots = sf_robots_list(&c, NULL, 0);
  if (done + 1 < c.rounds || c.stitches > s->npair ||
      robots * (long)c.rounds > SF_FZ_RESUME_CELLS) {
    return;
  }
  sfLearner lr;
  st = sf_learner_open_stored(NULL, c.learner, d->learner, d->learner_hash, "fuzz", &lr, &e);
  if (st != SF_OK) {
    sf_fz_failed(st, &e);
    return;
  }
  sfRunSummary sum;
  st = sf_fleet_run(s, &c, sf_fz_controller(), &lr, NULL, d, NULL, NULL, &sum, &e);
  sf_learner_close(&lr);
  if (st != SF_OK) sf_fz_failed(st, &e);
  if (st == SF_OK) SF_FUZZ_EXPECT(sum.episodes == 0);
}

// every reader on the store at path; flags choose between variants
static void sf_fz_read(const char* path, uint8_t flags) {
  sfStoreData d;
  sfError e = {{0}};
  sftStatus st = sf_store_read(path, &d, &e);
  if (getenv("SF_FUZZ_VERBOSE")) fprintf(stderr, "sf_store_read: %s\n", st ? e.msg : "ok");
  if (st != SF_OK) {
    sf_fz_failed(st, &e);
    sf_store_data_free(&d);
    return;
  }
  SF_FUZZ_EXPECT(d.nepisodes >= 0 && d.nrobots >= 0 && d.nknowledge >= 0);
  SF_FUZZ_EXPECT(d.configuration);

  // info, curves, --from, --resume
  sf_fz_info(path, flags & 1);
  sf_fz_curves(&d, flags & 2);
  sfKnowledge k;
  int aim_reset;
  st = sf_fleet_pooled(&d, &sf_fz_controller()->skill, path, 1, &k, &aim_reset, &e);
  if (st != SF_OK) sf_fz_failed(st, &e);
  if (flags & 4) sf_fz_resume(path, &d);
  sf_store_data_free(&d);
}

// ---------------------------------------------------------------------------------------------
// the harness

// where the store is written: a tmpfs when there is one
static const char* sf_fz_path(void) {
  static char path[4096];
  if (path[0]) return path;
  const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : getenv("TMPDIR");
  snprintf(path, sizeof(path), "%s/sf-fuzz-store-%ld.h5", dir ? dir : "/tmp", (long)getpid());
  return path;
}

// the store buffers (the rows are large for the stack)
static sfFzStore* sf_fz_store(void) {
  static sfFzStore s;
  for (int t = 0; t < SF_NTABLE; t++) {
    if (!s.rows[t]) s.rows[t] = calloc(SF_FZ_ROWS, kRowSize[t]);
    SF_ASSERT(s.rows[t]);
  }
  return &s;
}

// remove the store file at exit
static void sf_fz_cleanup(void) {
  unlink(sf_fz_path());
}

int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static int ready;
  if (!ready) {
    // HDF5 quiet; its free lists keep the 1 MiB conversion buffers every compound read and
    // write takes (the defaults give them back to malloc, and ASan's allocator to the kernel,
    // so each read paid for fresh pages: 60 executions/s instead of hundreds)
    H5Eset_auto2(H5E_DEFAULT, NULL, NULL);
    H5set_free_list_limits(-1, -1, -1, -1, 64 << 20, 16 << 20);
    atexit(sf_fz_cleanup);
    ready = 1;
  }

  // the template, edited by the bytes
  sfFzStore* s = sf_fz_store();
  sf_fz_template(s);
  sfFzBytes b = {data, size};
  uint8_t flags = sf_fz_u8(&b);
  while (b.n) sf_fz_edit(&b, s);

  // written (the file is well-formed HDF5 whatever the edits), then read
  const char* path = sf_fz_path();
  SF_ASSERT(sf_fz_write(s, path) >= 0);
  sf_fz_read(path, flags);
  return 0;
}
