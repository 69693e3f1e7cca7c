// cli.c: subcommands run and bench, their options, help texts and exit codes.
#include "cli.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

#include "bench.h"
#include "config.h"
#include "fleet.h"
#include "scene.h"
#include "store.h"

static const char* kUsage =
    "usage: suturefleet <command> [options]\n"
    "\n"
    "Robot-surgery fleet learning simulator: PSM arms practise in parallel (MuJoCo, OpenMP)\n"
    "and every outcome goes into one HDF5 experience store.\n"
    "\n"
    "commands:\n"
    "  run      robots practise for a number of rounds; episodes are written to a new store\n"
    "  bench    raw mj_step throughput vs the run pipeline, for 1..T threads\n"
    "\n"
    "'suturefleet <command> --help' describes a command's options.\n"
    "exit codes: 0 success, 1 runtime failure (I/O, simulation), 2 bad usage or input\n";

static const char* kRunUsage =
    "usage: suturefleet run [options]\n"
    "\n"
    "Robots practise for a number of rounds; each round every robot runs one episode in\n"
    "MuJoCo, in parallel, and the round's episodes are appended to the store and flushed.\n"
    "Results depend only on the seed and the configuration, never on --threads.\n"
    "\n"
    "options:\n"
    "  --config FILE   INI file with any of the settings below ([run] section, keys without\n"
    "                  dashes, e.g. 'robots = 8'); command-line options override it\n"
    "  --store PATH    HDF5 store to create (default suturefleet.h5); never replaced unless\n"
    "                  --force is given\n"
    "  --robots N      robots practising from round 0 (default 16)\n"
    "  --rounds R      practice rounds (default 10)\n"
    "  --threads T     OpenMP threads (default: OMP_NUM_THREADS or the core count)\n"
    "  --seed S        experiment seed, a non-negative integer (default 1)\n"
    "  --model PATH    MJCF scene (default: $SUTUREFLEET_MODEL or models/suture_scene.xml)\n"
    "  --force         replace an existing store\n"
    "  -h, --help      show this help\n";

static const char* kBenchUsage =
    "usage: suturefleet bench [options]\n"
    "\n"
    "Measures on one scene, for 1..T threads: raw mj_step steps/s (servos holding the home\n"
    "pose), the run pipeline's physics steps/s (control, measurements, HDF5 store), their\n"
    "ratio, and the store's share of the pipeline's wall time.\n"
    "\n"
    "options:\n"
    "  --model PATH    MJCF scene (default: $SUTUREFLEET_MODEL or models/suture_scene.xml)\n"
    "  --threads T     largest thread count measured (default: the core count)\n"
    "  --steps N       physics steps per thread per measurement (default 40000)\n"
    "  --json          print JSON instead of a table\n"
    "  -h, --help      show this help\n";

// report a usage error for command cmd and return exit code 2
static int sf_cli_usage_error(FILE* err, const char* cmd, const char* msg) {
  fprintf(err, "suturefleet %s: %s\nTry 'suturefleet %s --help'.\n", cmd, msg, cmd);
  return SF_ERR_INPUT;
}

// the value of option argv[*i] ("--opt value" or "--opt=value"); NULL if it is missing
static const char* sf_cli_value(int argc, char** argv, int* i, const char* eq) {
  if (eq) return eq + 1;
  if (*i + 1 >= argc) return NULL;
  return argv[++(*i)];
}

// split "--name=value" into name (into buf) and a pointer to '=' (or NULL)
static const char* sf_cli_split(const char* arg, char* buf, size_t n) {
  const char* eq = strchr(arg, '=');
  size_t len = eq ? (size_t)(eq - arg) : strlen(arg);
  if (len >= n) len = n - 1;
  memcpy(buf, arg, len);
  buf[len] = 0;
  return eq;
}

// does argv contain -h or --help
static int sf_cli_wants_help(int argc, char** argv) {
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  }
  return 0;
}

// parse run's options into c; returns SF_OK or SF_ERR_INPUT with the message in e
static sftStatus sf_cli_parse_run(int argc, char** argv, sfRunConfig* c, sfError* e) {
  static const char* keys[] = {"--store", "--robots", "--rounds", "--threads", "--seed", "--model"};
  sf_config_defaults(c);

  // the config file first, so that options override it
  for (int i = 0; i < argc; i++) {
    char name[64];
    const char* eq = sf_cli_split(argv[i], name, sizeof(name));
    if (strcmp(name, "--config")) continue;
    const char* v = sf_cli_value(argc, argv, &i, eq);
    if (!v) return sf_fail(e, SF_ERR_INPUT, "--config: expected a file path after it");
    sftStatus st = sf_config_load(c, v, e);
    if (st != SF_OK) return st;
  }

  // then every option in order
  for (int i = 0; i < argc; i++) {
    char name[64];
    const char* eq = sf_cli_split(argv[i], name, sizeof(name));
    if (!strcmp(name, "--force") && !eq) {
      c->force = 1;
      continue;
    }
    if (!strcmp(name, "--config")) {
      sf_cli_value(argc, argv, &i, eq);
      continue;
    }
    size_t k = 0;
    while (k < sizeof(keys) / sizeof(keys[0]) && strcmp(name, keys[k])) k++;
    if (k == sizeof(keys) / sizeof(keys[0])) {
      return sf_fail(e, SF_ERR_INPUT, "unknown option '%s'", argv[i]);
    }
    const char* v = sf_cli_value(argc, argv, &i, eq);
    if (!v) return sf_fail(e, SF_ERR_INPUT, "%s: expected a value after it", name);
    sftStatus st = sf_config_set(c, name + 2, v, name, e);
    if (st != SF_OK) return st;
  }
  return SF_OK;
}

// suturefleet run
static int sf_cli_run(int argc, char** argv, FILE* out, FILE* err) {
  if (sf_cli_wants_help(argc, argv)) {
    fputs(kRunUsage, out);
    return SF_OK;
  }
  sfRunConfig c;
  sfError e = {{0}};
  if (sf_cli_parse_run(argc, argv, &c, &e) != SF_OK) return sf_cli_usage_error(err, "run", e.msg);

  // everything is checked before the store is touched
  sfScene s;
  sftStatus status = sf_scene_load(&s, c.model, &e);
  if (status == SF_OK) status = sf_store_check_path(c.store, c.force, &e);
  if (status != SF_OK) {
    fprintf(err, "suturefleet run: %s\n", e.msg);
    sf_scene_free(&s);
    return status;
  }

  // store, rounds, summary
  char text[8192];
  sf_config_text(&c, text, sizeof(text));
  sfStoreMeta meta = {text, c.seed, s.model_hash, c.model};
  sfStore st;
  sfRunSummary sum = {0};
  status = sf_store_create(&st, c.store, c.force, &meta, &e);
  if (status == SF_OK) {
    fprintf(out, "suturefleet run: %d robots x %d rounds, seed %llu, %d threads -> %s\n",
            c.robots, c.rounds, (unsigned long long)c.seed, c.threads, c.store);
    status = sf_fleet_run(&s, &c, &st, out, &sum, &e);
    sftStatus close_status = sf_store_close(&st, status == SF_OK ? &e : NULL);
    if (status == SF_OK) status = close_status;
  }
  sf_scene_free(&s);
  if (status != SF_OK) {
    fprintf(err, "suturefleet run: %s\n", e.msg);
    return status;
  }
  fprintf(out,
          "wrote %ld episodes (%ld steps, %ld diverged) to %s in %.2f s (store %.1f%%); "
          "mean final tip-target distance %.3f mm\n",
          sum.episodes, sum.steps, sum.diverged, c.store, sum.wall_s,
          100 * sum.store_s / (sum.wall_s > 0 ? sum.wall_s : 1), sum.tip_target_mm);
  return SF_OK;
}

// print bench rows as a table or JSON
static void sf_cli_bench_print(FILE* out, const sfScene* s, const sfBenchRow* rows, int n,
                               long steps, int json) {
  if (json) {
    fprintf(out, "{\"model\": \"%s\", \"timestep_s\": %g, \"steps_per_thread\": %ld, \"rows\": [",
            s->path, s->m->opt.timestep, steps);
    for (int i = 0; i < n; i++) {
      fprintf(out,
              "%s\n  {\"threads\": %d, \"raw_steps_per_s\": %.1f, \"pipeline_steps_per_s\": %.1f, "
              "\"ratio\": %.4f, \"store_share\": %.5f}",
              i ? "," : "", rows[i].threads, rows[i].raw_sps, rows[i].pipe_sps, rows[i].ratio,
              rows[i].store_share);
    }
    fprintf(out, "\n]}\n");
    return;
  }
  fprintf(out, "scene %s, timestep %g s, %ld steps per thread\n", s->path, s->m->opt.timestep,
          steps);
  fprintf(out, "threads  raw steps/s  pipeline steps/s  pipeline/raw  store share\n");
  for (int i = 0; i < n; i++) {
    fprintf(out, "%7d  %11.0f  %16.0f  %12.3f  %10.2f%%\n", rows[i].threads, rows[i].raw_sps,
            rows[i].pipe_sps, rows[i].ratio, 100 * rows[i].store_share);
  }
}

// suturefleet bench
static int sf_cli_bench(int argc, char** argv, FILE* out, FILE* err) {
  if (sf_cli_wants_help(argc, argv)) {
    fputs(kBenchUsage, out);
    return SF_OK;
  }
  int threads = omp_get_num_procs(), json = 0, steps = 40000;
  const char* model = sf_scene_default_path();
  sfError e = {{0}};

  // options
  for (int i = 0; i < argc; i++) {
    char name[64];
    const char* eq = sf_cli_split(argv[i], name, sizeof(name));
    if (!strcmp(name, "--json") && !eq) {
      json = 1;
      continue;
    }
    int known = !strcmp(name, "--model") || !strcmp(name, "--threads") || !strcmp(name, "--steps");
    if (!known) {
      sf_fail(&e, SF_ERR_INPUT, "unknown option '%s'", argv[i]);
      return sf_cli_usage_error(err, "bench", e.msg);
    }
    const char* v = sf_cli_value(argc, argv, &i, eq);
    if (!v) {
      sf_fail(&e, SF_ERR_INPUT, "%s: expected a value after it", name);
      return sf_cli_usage_error(err, "bench", e.msg);
    }
    if (!strcmp(name, "--model")) {
      model = v;
    } else if (sf_parse_int(v, 1, !strcmp(name, "--threads") ? 1024 : 100000000,
                            !strcmp(name, "--threads") ? &threads : &steps)) {
      sf_fail(&e, SF_ERR_INPUT, "%s: expected a positive integer, got '%s'", name, v);
      return sf_cli_usage_error(err, "bench", e.msg);
    }
  }

  // measure
  sfScene s;
  sftStatus status = sf_scene_load(&s, model, &e);
  sfBenchRow* rows = calloc((size_t)threads, sizeof(sfBenchRow));
  SF_ASSERT(rows);
  if (status == SF_OK) status = sf_bench_run(&s, threads, steps, rows, &e);
  if (status == SF_OK) sf_cli_bench_print(out, &s, rows, threads, steps, json);
  if (status != SF_OK) fprintf(err, "suturefleet bench: %s\n", e.msg);
  free(rows);
  sf_scene_free(&s);
  return status;
}

int sf_cli_main(int argc, char** argv, FILE* out, FILE* err) {
  if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") ||
      !strcmp(argv[1], "help")) {
    fputs(kUsage, argc < 2 ? err : out);
    return argc < 2 ? SF_ERR_INPUT : SF_OK;
  }
  if (!strcmp(argv[1], "--version")) {
    fprintf(out, "suturefleet %s (MuJoCo %s)\n", SF_VERSION, mj_versionString());
    return SF_OK;
  }
  if (!strcmp(argv[1], "run")) return sf_cli_run(argc - 2, argv + 2, out, err);
  if (!strcmp(argv[1], "bench")) return sf_cli_bench(argc - 2, argv + 2, out, err);
  fprintf(err,
          "suturefleet: unknown command '%s' (expected run or bench)\n"
          "Try 'suturefleet --help'.\n",
          argv[1]);
  return SF_ERR_INPUT;
}
