// cli.c: subcommands run, eval, info, bench and controllers, their options, help texts and
// exit codes.
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <omp.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bench.h"
#include "config.h"
#include "curves.h"
#include "dist.h"
#include "fleet.h"
#include "journal.h"
#include "json.h"
#include "lock.h"
#include "progress.h"
#include "replay.h"
#include "scene.h"
#include "store.h"
#include "store_check.h"
#include "study.h"

static const char* kUsage =
    "usage: suturefleet <command> [options]\n"
    "\n"
    "Robot-surgery fleet learning simulator: PSM arms practise in parallel (MuJoCo, OpenMP)\n"
    "and every outcome goes into one HDF5 experience store.\n"
    "\n"
    "commands:\n"
    "  run          robots practise for a number of rounds; episodes are written to a new store\n"
    "  eval         run episodes with one fixed skill and report success rate and metrics\n"
    "  info         describe a store: configuration, cohorts, success and metrics per round\n"
    "  bench        raw mj_step throughput vs the run pipeline, for 1..T threads\n"
    "  controllers  list the built-in controllers, or describe one or a plug-in file\n"
    "  learners     list the built-in learners, or describe one or a plug-in file\n"
    "  curves       learning curves from stores: CSV and plots (PNG, SVG)\n"
    "  replay       watch a stored episode: MP4 video, PNG frames or an interactive window\n"
    "  study        a grid of runs from one spec (axes of run settings), resumable, summarised\n"
    "\n"
    "'suturefleet <command> --help' describes a command's options.\n"
    "exit codes: 0 success, 1 runtime failure (I/O, simulation), 2 bad usage or input\n";

static const char* kStudyUsage =
    "usage: suturefleet study SPEC.ini [--out DIR] [--threads T] [--resume] [--dry-run]\n"
    "                         [--json] [--quiet]\n"
    "\n"
    "Runs a grid of experiments from one spec: its [study] section has 'name' (letters,\n"
    "digits, '.', '_', '-'), 'target' (success level, default 0.9), 'window' (rounds\n"
    "averaged to call it reached, default 3) and any run setting (robots, rounds, seed or\n"
    "seeds, stitches, join, mode, from, record, controller, learner, model) as one value or a "
    "list:\n"
    "'robots = 1,4,16', 'seeds = 1-10', for join alternatives separated by '|' ('join =\n"
    "none | 4@12'). Every combination is a cell, an ordinary run into DIR/cells/<cell>.h5\n"
    "(its settings in DIR/cells/<cell>.ini). Sections [grid NAME] after it make the study a\n"
    "union of grids, each with the [study] settings and its own replacing or adding to them\n"
    "(a solo grid running more rounds than the fleets, say). Cells with fewer than 4\n"
    "episodes per round per thread run side by side, one thread each; the others use every\n"
    "thread; under mpirun every rank shares each cell's robots and rank 0 writes. Then\n"
    "DIR/summary.csv has one row per cell and cohort: rounds and episodes to the target\n"
    "(censored when not reached), final success, the joiners' first-episode success against\n"
    "the fleet's that round, mean trauma and time; DIR/summary.md, per group of cells (all\n"
    "axes but the seed) and cohort, means with 95 % t intervals over the seeds, the\n"
    "Kaplan-Meier median of rounds to target (censored seeds count) and the solo/fleet ratio\n"
    "of the medians (a lower bound when solo never reaches it) and of the means (95 % CI);\n"
    "DIR/curves/<group>.svg and .png, success against practice episodes per robot with\n"
    "95 % bands; DIR/compare.svg and .png, every group's founders on one axis (more than one\n"
    "group); DIR/joiners.svg and .png (when robots join); when only the fleet size and\n"
    "the seed vary, DIR/scaling.svg and .png: episodes per robot to target against fleet\n"
    "size (log-log) with the solo point and the ideal solo/N line; DIR/surgeons.md and\n"
    "surgeons_time.svg/.png, published human references (share/suturefleet/literature/\n"
    "surgeons.csv) beside the fleet's value on the same metric; and DIR/report.html, one\n"
    "self-contained page (spec, command, versions, tables, figures, links to the cell\n"
    "stores). The whole spec is checked before anything is written.\n"
    "\n"
    "options:\n"
    "  --out DIR       the study's directory (default NAME.study); a new one, unless --resume\n"
    "  --threads T     OpenMP threads of each cell's run (default: OMP_NUM_THREADS or the\n"
    "                  core count)\n"
    "  --resume        continue the study in DIR: complete cells of the same configuration\n"
    "                  are kept, an interrupted cell is resumed, the rest run\n"
    "  --dry-run       list the cells with their episodes and an estimated time (a reference\n"
    "                  episode of each cell's task timed here), or why a cell would be\n"
    "                  refused; run nothing\n"
    "  --json          with --dry-run: print JSON\n"
    "  --quiet         no progress lines\n"
    "  -h, --help      show this help\n";

static const char* kRunUsage =
    "usage: suturefleet run [options]\n"
    "\n"
    "Robots practise for a number of rounds; each round every active robot samples its skill\n"
    "from its cohort's knowledge and runs one episode in MuJoCo, in parallel; the round's\n"
    "trajectories, episodes and the knowledge learned from them are written to the store.\n"
    "Results depend only on the seed and the configuration, never on --threads. Built with\n"
    "MPI and started by mpirun or srun, each rank simulates a share of every round's robots\n"
    "with --threads threads and rank 0 writes the store: the same store for any rank count.\n"
    "\n"
    "options:\n"
    "  --config FILE   INI file with any of the settings below ([run] section, keys without\n"
    "                  dashes, e.g. 'robots = 8'); command-line options override it\n"
    "  --store PATH    HDF5 store to create (default suturefleet.h5); never replaced unless\n"
    "                  --force is given\n"
    "  --robots N      robots practising from round 0 (default 16)\n"
    "  --rounds R      practice rounds (default 24)\n"
    "  --threads T     OpenMP threads, 1.." SF_STR(SF_MAX_THREADS)
    " (default: OMP_NUM_THREADS or the core count)\n"
    "  --seed S        experiment seed, a non-negative integer (default 1)\n"
    "  --model PATH    MJCF scene (default: $SUTUREFLEET_MODEL, else models/suture_scene.xml\n"
    "                  for one stitch and the two-arm models/suture_scene_2arm.xml for more)\n"
    "  --stitches K    throws per episode along the wound, 1.." SF_STR(SF_MAX_STITCHES) " (default 1)\n"
    "  --join N@R,...  N more robots join at round R (rounds count from 0), e.g. 4@5,4@10;\n"
    "                  'none' for no joiners (default 4@12)\n"
    "  --mode M        fleet: robots pool their episodes; solo: each learns alone; both: a\n"
    "                  fleet cohort and an equal solo cohort with the same contexts (default)\n"
    "  --share S       who shares with whom in the fleet: all (one pool, the default),\n"
    "                  groups:K (K pools, hospitals: robot i pools with group i mod K; joiners\n"
    "                  start from their group's), delay:D (each round's episodes reach the pool\n"
    "                  D rounds late), knowledge (robots learn from their own episodes and share\n"
    "                  only their knowledge, averaged after every round: federated averaging)\n"
    "  --from STORE    the fleet starts from the knowledge pooled in another store (its aim\n"
    "                  values only if that store's seed is this run's: its robots' calibration)\n"
    "  --record R      trajectories stored as robomimic demos: all, none or every:K (episodes\n"
    "                  whose id is a multiple of K; default every:10)\n"
    "  --controller C  a built-in controller's name or a plug-in file (a path containing '/'\n"
    "                  or ending in .so; see 'suturefleet controllers') (default scripted-arc);\n"
    "                  --resume of a plug-in store needs it: the file is loaded only if its\n"
    "                  hash is the store's (the path in a store is never loaded)\n"
    "  --learner L     a built-in learner's name or a plug-in file (see 'suturefleet\n"
    "                  learners'): how a cohort's episodes become its knowledge (default\n"
    "                  " SF_LEARNER_DEFAULT "); --resume checks it as --controller, and replays it over the\n"
    "                  stored rounds: the knowledge it gives must be the store's\n"
    "  --force         replace an existing store (a regular file)\n"
    "  --resume        continue an interrupted run in --store with its own configuration; the\n"
    "                  run's options may be given again (the same command plus --resume) and\n"
    "                  must equal the store's; --threads and --quiet may differ, --force may\n"
    "                  not be given\n"
    "  --quiet         print nothing but errors; otherwise a terminal shows a live status line\n"
    "                  (round, robots, episodes, last round's success, steps/s, ETA) and\n"
    "                  other outputs get one line per round\n"
    "  -h, --help      show this help\n";

static const char* kEvalUsage =
    "usage: suturefleet eval [options]\n"
    "\n"
    "Runs N suturing episodes in parallel with one fixed skill vector and prints the success\n"
    "rate (with a 95% Wilson interval) and the metric means: SRC errors, trauma, force, time,\n"
    "wound closure (over the sutured span and at its worst point), the largest thread\n"
    "tension, thread used, the episodes with a cut-through, the needle's handovers between two\n"
    "arms (per episode, failed, time each), and how many episodes missed each of success's\n"
    "criteria. Episode i uses the context stream (seed, robot i, round 0), so results do not\n"
    "depend on --threads.\n"
    "\n"
    "options:\n"
    "  --skill S        'reference' (the controller's hand-tuned skill) or a skill file: the\n"
    "                   values in the controller's order, separated by blanks, commas or\n"
    "                   newlines, '#' starts a comment (default reference)\n"
    "  --episodes N     episodes (default 200)\n"
    "  --seed S         seed, a non-negative integer (default 1)\n"
    "  --threads T      OpenMP threads (default: OMP_NUM_THREADS or the core count)\n"
    "  --stitches K     throws per episode, 1.." SF_STR(SF_MAX_STITCHES) " (default 1)\n"
    "  --calibration C  'none': calibrated robots (default); 'robot': each robot's own drawn\n"
    "                   calibration error\n"
    "  --controller C   a built-in controller's name or a plug-in file (a path containing '/'\n"
    "                   or ending in .so) (default scripted-arc)\n"
    "  --model PATH     MJCF scene (default: $SUTUREFLEET_MODEL, else models/suture_scene.xml\n"
    "                   for one stitch and the two-arm models/suture_scene_2arm.xml for more)\n"
    "  --json           print JSON\n"
    "  -h, --help       show this help\n";

static const char* kInfoUsage =
    "usage: suturefleet info STORE [--json]\n"
    "\n"
    "Describes a store: its configuration, robots per cohort, episodes, and per cohort and\n"
    "round the success rate and metric means. Reads a store while a run is writing it.\n"
    "\n"
    "options:\n"
    "  --json          print JSON\n"
    "  -h, --help      show this help\n";

static const char* kBenchUsage =
    "usage: suturefleet bench [options]\n"
    "\n"
    "Measures on one scene, for 1..T threads: raw mj_step steps/s (replaying the controls and\n"
    "needle poses of a reference episode, so the arm moves as in an episode), the run\n"
    "pipeline's physics steps/s (control, measurements, HDF5 store), their ratio, the store's\n"
    "share of the pipeline's wall time, simulated seconds and episodes per wall second; then\n"
    "where a profiled pipeline run's time goes: physics, controller, tissue, scoring,\n"
    "trajectory recording, episode set-up and waiting, store, learning and the rest; what a\n"
    "reference episode of the scene costs (scripted-arc's reference skill, 4 calibrated\n"
    "robots, one thread: CPU s per episode, simulated s, handovers, success; for one stitch\n"
    "and, when the scene has 4 pairs, for four); and what each built-in learner's update costs\n"
    "a fleet of 4096 robots (ms per round, on synthetic episodes) and the memory its state\n"
    "holds.\n"
    "\n"
    "options:\n"
    "  --model PATH    MJCF scene (default: $SUTUREFLEET_MODEL or models/suture_scene.xml)\n"
    "  --threads T     largest thread count measured, per rank under mpirun (default: the\n"
    "                  core count)\n"
    "  --steps N       physics steps per thread per measurement (default 40000)\n"
    "  --json          print JSON instead of a table\n"
    "  -h, --help      show this help\n";

static const char* kControllersUsage =
    "usage: suturefleet controllers [NAME|PATH.so] [--json]\n"
    "\n"
    "Without an argument, lists the built-in controllers. With a built-in's name or a plug-in\n"
    "file, loads it exactly as run and eval do (the same checks; exit 2 if it is refused) and\n"
    "describes it: name, ABI version, file hash, and its skill values with units, bounds,\n"
    "reference value and prior. Plug-ins are written against include/suturefleet/controller.h\n"
    "(README: \"Write your own controller\").\n"
    "\n"
    "options:\n"
    "  --json          print JSON\n"
    "  -h, --help      show this help\n";

static const char* kLearnersUsage =
    "usage: suturefleet learners [NAME|PATH.so] [--json]\n"
    "\n"
    "Without an argument, lists the built-in learners (the default first). With a built-in's\n"
    "name or a plug-in file, loads it exactly as run does (the same checks; exit 2 if it is\n"
    "refused) and describes it: name, ABI version, file hash. Plug-ins are written against\n"
    "include/suturefleet/learner.h (README: \"Write your own learner\").\n"
    "\n"
    "options:\n"
    "  --json          print JSON\n"
    "  -h, --help      show this help\n";

static const char* kCurvesUsage =
    "usage: suturefleet curves STORE [STORE ...] [options]\n"
    "\n"
    "Learning curves: per cohort group (fleet founders, each fleet join wave, solo founders,\n"
    "each solo join wave) the metric's mean against practice episodes per robot (a robot's\n"
    "n-th episode), with a 95% band: over robots for one store (Wilson's interval for the\n"
    "success rate, t otherwise), over stores (seeds) when several are given.\n"
    "\n"
    "options:\n"
    "  --metric M      success (default), time, entry_err, trauma or closure\n"
    "  --csv FILE      write the tidy CSV there ('-': standard output; the default when\n"
    "                  --plot is not given). Columns: cohort, group, join_round, metric,\n"
    "                  episode (1-based), stores, robots, mean, ci_lo, ci_hi\n"
    "  --plot FILE     draw the curves and bands with gnuplot into FILE.png or FILE.svg\n"
    "  --literature F  a literature reference curve (CSV: repetition,time_s; '# label:' line)\n"
    "                  drawn beside the time curve; default for --metric time: the one\n"
    "                  installed in share/suturefleet/literature/ (datasets/literature/ for\n"
    "                  a build-tree binary); 'none' for none\n"
    "  --title T       the plot's title\n"
    "  -h, --help      show this help\n";

static const char* kReplayUsage =
    "usage: suturefleet replay STORE --episode ID (--out FILE.mp4|DIR | --window) [options]\n"
    "\n"
    "Renders a stored episode with MuJoCo's renderer: headless through OSMesa into an MP4\n"
    "(ffmpeg, H.264) or PNG frames in a directory, or in an interactive window (GLFW). The\n"
    "frames come from the episode's trajectory in the store; an episode that was not recorded\n"
    "is simulated again from its stored context and skill (same model and controller), and\n"
    "must reproduce the stored outcome. The overlay shows episode, robot, cohort, the\n"
    "throw's phase and its SRC metrics as they become known, the thread's tension and, at the\n"
    "end, the wound's closure; green and blue dots mark the entry and exit holes, the thread\n"
    "is drawn in blue and the wound's edges in dark red.\n"
    "\n"
    "options:\n"
    "  --episode ID     the episode id (required)\n"
    "  --out PATH       FILE.mp4: a video; otherwise a directory (made if missing) for\n"
    "                   frame_00000.png, ...\n"
    "  --window         an interactive window instead: left drag rotates, right drag moves,\n"
    "                   wheel zooms; space pauses, right arrow steps a frame while paused,\n"
    "                   + and - change the speed, N shows the next episode, Esc closes\n"
    "  --width W        image width in pixels (default 640; at most the model's offscreen\n"
    "                   width, 1280)\n"
    "  --height H       image height in pixels (default 480; at most 720)\n"
    "  --fps F          frames per simulated second (default 30); a video has\n"
    "                   round(duration x F) frames\n"
    "  --frames N       with --window: close after N frames (default: when closed)\n"
    "  --no-resimulate  refuse an episode whose trajectory was not recorded\n"
    "  --controller F   the plug-in file of a plug-in store, to simulate an episode again;\n"
    "                   loaded only if its hash is the store's (the path in a store is never\n"
    "                   loaded; a built-in store needs nothing)\n"
    "  -h, --help       show this help\n";

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

// what one command-line argument is
typedef enum sftArg_ {
  SF_ARG_OPERAND = 0,  // not an option (no leading '-', or "-" alone)
  SF_ARG_FLAG,         // an option without a value
  SF_ARG_VALUE         // an option and its value
} sftArg;

// classify argv[*i] among flags and keys (NULL-terminated lists; either may be NULL): an
// operand, a flag, or a key and its value ("--key value" or "--key=value"; *i moves past the
// value); *which is the flag's or key's index and *value the operand or the value; SF_ERR_INPUT
// naming an unknown option or a missing value
static sftStatus sf_cli_arg(int argc, char** argv, int* i, const char* const* flags,
                            const char* const* keys, sftArg* kind, int* which, const char** value,
                            sfError* e) {
  char name[64];
  const char* eq = sf_cli_split(argv[*i], name, sizeof(name));
  *which = -1;
  *value = argv[*i];
  *kind = SF_ARG_OPERAND;
  if (argv[*i][0] != '-' || !strcmp(argv[*i], "-")) return SF_OK;
  for (int k = 0; flags && flags[k]; k++) {
    if (eq || strcmp(name, flags[k])) continue;
    *kind = SF_ARG_FLAG, *which = k;
    return SF_OK;
  }
  for (int k = 0; keys && keys[k]; k++) {
    if (strcmp(name, keys[k])) continue;
    *kind = SF_ARG_VALUE, *which = k;
    *value = sf_cli_value(argc, argv, i, eq);
    if (!*value) return sf_fail(e, SF_ERR_INPUT, "%s: expected a value after it", name);
    return SF_OK;
  }
  return sf_fail(e, SF_ERR_INPUT, "unknown option '%s'", argv[*i]);
}

// does argv contain -h or --help
static int sf_cli_wants_help(int argc, char** argv) {
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) return 1;
  }
  return 0;
}

// parse run's options into c (c->given: the settings given, by the command line or the config
// file); cmdline gets the settings given on the command line (bit k: sf_config_key(k)) and
// config the --config file (NULL: none); returns SF_OK or SF_ERR_INPUT with the message in e
static sftStatus sf_cli_parse_run(int argc, char** argv, sfRunConfig* c, unsigned* cmdline,
                                  const char** config, sfError* e) {
  static const char* flags[] = {"--force", "--resume", "--quiet", NULL};
  static const char* keys[] = {"--store",   "--robots", "--rounds",   "--threads",
                               "--seed",    "--model",  "--stitches", "--join",
                               "--mode",    "--from",   "--record",   "--controller",
                               "--learner", "--share",  "--config",   NULL};
  sf_config_defaults(c);
  *cmdline = 0;
  *config = NULL;

  // the config file first, so that options override it
  for (int i = 0; i < argc; i++) {
    char name[64];
    const char* eq = sf_cli_split(argv[i], name, sizeof(name));
    if (strcmp(name, "--config")) continue;
    const char* v = sf_cli_value(argc, argv, &i, eq);
    if (!v) return sf_fail(e, SF_ERR_INPUT, "--config: expected a file path after it");
    sftStatus st = sf_config_load(c, v, e);
    if (st != SF_OK) return st;
    *config = v;
  }

  // then every option in order (the config file's path again, skipped)
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    sftStatus st = sf_cli_arg(argc, argv, &i, flags, keys, &kind, &k, &v, e);
    if (st != SF_OK) return st;
    if (kind == SF_ARG_OPERAND) return sf_fail(e, SF_ERR_INPUT, "unknown option '%s'", v);
    if (kind == SF_ARG_FLAG) {
      int* set[] = {&c->force, &c->resume, &c->quiet};
      *set[k] = 1;
      continue;
    }
    if (!strcmp(keys[k], "--config")) continue;
    st = sf_config_set(c, keys[k] + 2, v, keys[k], e);
    if (st != SF_OK) return st;
    *cmdline |= 1u << sf_config_key_index(keys[k] + 2);
  }

  // --resume takes the run's own options (compared with the store's later), never --force
  if (c->resume && c->force) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--resume continues the store it is given and never replaces it; expected "
                   "no --force with it, got --force");
  }
  return SF_OK;
}

// suturefleet run
// open the run's store: create it, or reopen it to resume after its completed rounds
static sftStatus sf_cli_open_store(const sfRunConfig* c, const sfScene* s, const sfController* ctrl,
                                   const sfLearner* lr, const sfStoreData* resumed, sfStore* st,
                                   sfError* e) {
  if (resumed) {
    int done = sf_fleet_rounds_done(resumed);
    long keep[SF_NTABLE] = {0, resumed->nrobots, 0};
    while (keep[0] < resumed->nepisodes && resumed->episodes[keep[0]].round <= done) keep[0]++;
    while (keep[2] < resumed->nknowledge && resumed->knowledge[keep[2]].round <= done) keep[2]++;
    return sf_store_reopen(st, c->store, keep, e);
  }
  char text[8192], names[2048];
  sf_config_text(c, text, sizeof(text));
  sf_skill_names(&ctrl->skill, names, sizeof(names));
  sfStoreMeta meta = {text,       c->seed,         s->model_hash, c->model, s->m->opt.timestep,
                      ctrl->name, ctrl->file.hash, names,         lr->name, lr->file.hash};
  int nrobot;
  sfRobotRow* robots = sf_robots_make(c, &nrobot);
  sftStatus status = sf_store_create(st, c->store, c->force, &meta, robots, nrobot, e);
  free(robots);
  return status;
}

// two paths name one file (the same device and inode)
static int sf_cli_same_file(const char* a, const char* b) {
  struct stat sa, sb;
  return stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// --resume: every setting given (c->given) equals the store's, but threads (results do not
// depend on it), store (the one resumed), controller and learner (compared by their files' hashes
// when they are opened); model and from are equal as the same path or the same file. SF_ERR_INPUT
// naming the first that differs, where it was given, and both values
static sftStatus sf_cli_resume_same(const sfRunConfig* c, const sfRunConfig* stored,
                                    unsigned cmdline, const char* config, sfError* e) {
  for (int k = 0; k < SF_CONFIG_NKEY; k++) {
    const char* key = sf_config_key(k);
    if (!(c->given >> k & 1u) || !strcmp(key, "threads") || !strcmp(key, "store") ||
        !strcmp(key, "controller") || !strcmp(key, "learner")) {
      continue;
    }
    char mine[4200], theirs[4200];
    sf_config_value(c, k, mine, sizeof(mine));
    sf_config_value(stored, k, theirs, sizeof(theirs));
    int path = !strcmp(key, "model") || !strcmp(key, "from");
    if (!strcmp(mine, theirs) || (path && sf_cli_same_file(mine, theirs))) continue;
    if (!theirs[0]) snprintf(theirs, sizeof(theirs), "(none)");
    if (cmdline >> k & 1u) {
      return sf_fail(e, SF_ERR_INPUT, "--resume: --%s %s differs from the store's %s = %s", key,
                     mine, key, theirs);
    }
    return sf_fail(e, SF_ERR_INPUT,
                   "--resume: %s = %s (--config '%s') differs from the store's %s = %s", key, mine,
                   config ? config : "", key, theirs);
  }
  return SF_OK;
}

// --resume: the store's contents and its own configuration, which every setting given must
// equal (threads, quiet and the given flags from c), and its controller and learner opened into
// ctrl and lr (a plug-in only from the file given with --controller or --learner, checked
// against the store's hash before it is loaded); SF_ERR_INPUT naming the store, the setting,
// the controller or the learner, nothing loaded
static sftStatus sf_cli_resume(sfRunConfig* c, unsigned cmdline, const char* config, sfStoreData* d,
                               sfController* ctrl, sfLearner* lr, sfError* e) {
  sftStatus status = sf_file_check_regular(c->store, "--store", "a suturefleet store", e);
  if (status == SF_OK) status = sf_store_read(c->store, d, e);
  if (status != SF_OK) return status;
  status = sf_store_extendable(c->store, d->schema_version, e);
  if (status != SF_OK) return status;
  sfRunConfig stored;
  status = sf_store_config(d, c->store, &stored, e);
  if (status == SF_OK) status = sf_cli_resume_same(c, &stored, cmdline, config, e);
  if (status != SF_OK) return status;

  // the controller: never a file only the store names
  unsigned given_ctrl = 1u << sf_config_key_index("controller");
  status =
      sf_controller_open_stored(c->given & given_ctrl ? c->controller : NULL, stored.controller,
                                d->controller, d->controller_hash, c->store, ctrl, e);
  if (status != SF_OK) return status;

  // the learner: likewise
  unsigned given_lr = 1u << sf_config_key_index("learner");
  status = sf_learner_open_stored(c->given & given_lr ? c->learner : NULL, stored.learner,
                                  d->learner, d->learner_hash, c->store, lr, e);
  if (status != SF_OK) {
    sf_controller_close(ctrl);
    return status;
  }
  stored.threads = c->threads;
  stored.quiet = c->quiet;
  stored.resume = 1;
  stored.given = c->given;
  snprintf(stored.store, sizeof(stored.store), "%s", c->store);
  *c = stored;
  return SF_OK;
}

// a thread count within SF_MAX_THREADS; origin says where it came from; SF_ERR_INPUT naming it
static sftStatus sf_cli_check_threads(int threads, const char* origin, sfError* e) {
  if (threads >= 1 && threads <= SF_MAX_THREADS) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT, "%s: %d threads; expected 1 to %d (give --threads T)", origin,
                 threads, SF_MAX_THREADS);
}

// where a run's thread count came from: the command line, the config file, or OpenMP's default
static const char* sf_cli_threads_origin(const sfRunConfig* c, unsigned cmdline, char* buf,
                                         size_t n) {
  unsigned bit = 1u << sf_config_key_index("threads");
  const char* env = getenv("OMP_NUM_THREADS");
  if (cmdline & bit) return "--threads";
  if (c->given & bit) return "threads in --config";
  if (!env) return "the core count (OpenMP's default)";
  snprintf(buf, n, "OMP_NUM_THREADS=%.32s", env);
  return buf;
}

// the run's memory in GiB, for messages
static double sf_gib(uint64_t bytes) {
  return (double)bytes / (1024.0 * 1024.0 * 1024.0);
}

// a + b * k into *sum, saturating at UINT64_MAX on overflow
static void sf_add_mul(uint64_t* sum, uint64_t b, uint64_t k) {
  uint64_t p;
  if (__builtin_mul_overflow(b, k, &p) || __builtin_add_overflow(*sum, p, sum)) *sum = UINT64_MAX;
}

// the bytes a run of c on scene s allocates in sf_fleet_run (need[0] learning records of every
// episode, [1] per-round buffers, [2] trajectory buffers when recording, [3] the per-thread
// workers), saturating at UINT64_MAX; the run's episodes (robots x rounds) into *episodes
static void sf_cli_run_bytes(const sfRunConfig* c, const sfScene* s, uint64_t need[4],
                             uint64_t* episodes) {
  const mjModel* m = s->m;
  uint64_t nrobot = (uint64_t)sf_robots_list(c, NULL, 0);
  *episodes = nrobot * (uint64_t)c->rounds;  // at most 3.4e6 x 1e5: no overflow
  memset(need, 0, 4 * sizeof(uint64_t));

  // learning: each robot's own episodes and the fleet's pooled ones, and the knowledge
  sf_add_mul(&need[0], 2 * sizeof(sfEpisodeRecord), *episodes);
  sf_add_mul(&need[0], sizeof(int) + sizeof(sfKnowledge), nrobot);

  // a round's buffers, one slot per robot
  uint64_t slot = sizeof(sfRobotRow) + sizeof(sfEpisodeSpec) + sizeof(sfEpisodeResult) +
                  sizeof(sfEpisodeRow) + sizeof(sfKnowledgeRow) + SF_MAX_THETA * sizeof(double) +
                  sizeof(int) + sizeof(sfTraj) + sizeof(sfTraj*);
  sf_add_mul(&need[1], slot, nrobot);

  // trajectories: a buffer per robot whenever anything is recorded
  uint64_t cap = (uint64_t)(c->stitches * SF_THROW_TIME_S * SF_TRAJ_HZ) + 2;
  uint64_t width = (uint64_t)m->nu + SF_NAXIS + 3 + 4 + 3 + 4 + 3 + (uint64_t)m->nq +
                   (uint64_t)m->nv + 7 * (uint64_t)m->nmocap;
  if (c->record_every) sf_add_mul(&need[2], cap * width * sizeof(double), nrobot);

  // workers: the episode's mjData and the host's scratch mjData, measured on one
  mjData* d = mj_makeData(m);
  uint64_t data =
      d ? sizeof(mjData) + (uint64_t)d->nbuffer + (uint64_t)d->nstack * sizeof(mjtNum) : 0;
  if (d) mj_deleteData(d);
  uint64_t worker = 2 * data + sizeof(sfWorker) + sizeof(sfHost) +
                    ((uint64_t)m->nu + 6 * (uint64_t)m->nv) * sizeof(mjtNum);
  sf_add_mul(&need[3], worker, (uint64_t)c->threads);
}

// everything the run of c will need fits, checked before any store is made: the thread count
// (origin names where it came from), the episode count (fleet.c counts in int), and the memory
// of sf_cli_run_bytes against the machine's physical memory; SF_ERR_INPUT saying what is needed
// and what there is
static sftStatus sf_cli_run_limits(const sfRunConfig* c, const sfScene* s, const char* origin,
                                   sfError* e) {
  sftStatus st = sf_cli_check_threads(c->threads, origin, e);
  if (st != SF_OK) return st;
  uint64_t need[4], episodes, total = 0;
  sf_cli_run_bytes(c, s, need, &episodes);
  if (episodes > INT_MAX) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--robots/--rounds: %d robots (with joiners and solo twins) x %d rounds = %llu "
                   "episodes; expected at most %d",
                   sf_robots_list(c, NULL, 0), c->rounds, (unsigned long long)episodes, INT_MAX);
  }
  for (int i = 0; i < 4; i++) sf_add_mul(&total, need[i], 1);

  // against the physical memory (not what is free now: that changes)
  long pages = sysconf(_SC_PHYS_PAGES), page = sysconf(_SC_PAGESIZE);
  uint64_t have = pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : UINT64_MAX;
  if (total <= have) return SF_OK;
  return sf_fail(e, SF_ERR_INPUT,
                 "the run needs %.1f GiB of memory (%.1f GiB of learning records for %llu "
                 "episodes, %.1f GiB of round buffers, %.1f GiB of trajectory buffers, %.1f GiB "
                 "for %d threads) and this machine has %.1f GiB; expected fewer robots, rounds "
                 "or threads, or --record none",
                 sf_gib(total), sf_gib(need[0]), (unsigned long long)episodes, sf_gib(need[1]),
                 sf_gib(need[2]), sf_gib(need[3]), c->threads, sf_gib(have));
}

// the run's store path: a new name, or an existing regular file (never a FIFO, device or
// directory, which --force would replace); SF_ERR_INPUT naming it
static sftStatus sf_cli_check_store(const char* path, sfError* e) {
  struct stat sb;
  if (stat(path, &sb) != 0 && errno == ENOENT) return SF_OK;
  return sf_file_check_regular(path, "--store", "a suturefleet store or a new file", e);
}

// suturefleet run
// what a run command works with, from the checks to the last report
typedef struct sfCliRun_ {
  sfRunConfig c;        // the configuration (the stored one under --resume)
  unsigned cmdline;     // settings given on the command line (bits of sf_config_key_index)
  const char* config;   // --config FILE or NULL
  const char* origin;   // where the thread count came from, for messages
  sfStoreData resumed;  // the store being resumed (--resume)
  sfStoreData other;    // the store the fleet starts from (--from)
  sfKnowledge from;     // its pooled knowledge
  int from_aim_reset;   // its aim values are the prior's (its robots are another seed's)
  sfScene s;            // the scene
  sfController ctrl;    // the controller
  sfLearner lr;         // the learner
  sfLock lock;          // the writer lock (rank 0)
  sfRunSummary sum;     // what the rounds did
} sfCliRun;

// the model: a regular MJCF file that loads, with pairs enough for the stitches, and under
// --resume the very model the store was written with
static sftStatus sf_cli_run_model(sfCliRun* R, sfError* e) {
  sfRunConfig* c = &R->c;
  const char* what = c->given & 1u << sf_config_key_index("model") ? "--model" : "model";
  sftStatus status = sf_file_check_regular(c->model, what, "an MJCF file", e);
  if (status == SF_OK) status = sf_scene_load(&R->s, c->model, e);
  if (status == SF_OK) status = sf_task_check(&R->s, &R->ctrl, c->stitches, e);
  if (status == SF_OK && c->resume) {
    char hash[32];
    snprintf(hash, sizeof(hash), "%016llx", (unsigned long long)R->s.model_hash);
    if (strcmp(hash, R->resumed.model_hash)) {
      status = sf_fail(e, SF_ERR_INPUT,
                       "--resume: model '%s' (hash %s) is not the model store "
                       "'%s' was written with (hash %s)",
                       c->model, hash, c->store, R->resumed.model_hash);
    }
  }
  return status;
}

// everything is checked before the store is touched: the writer lock first (rank 0, the writer:
// no other process writes this store meanwhile), then the resumed store or the new store's path,
// the controller and learner, the model, the run's size against the machine, the imported
// knowledge, and under --resume the learner replayed over the stored rounds
static sftStatus sf_cli_run_check(sfCliRun* R, sfError* e) {
  sfRunConfig* c = &R->c;
  sftStatus status = sf_dist_rank() == 0 ? sf_lock_take(c->store, &R->lock, e) : SF_OK;
  if (status == SF_OK && c->resume) {
    status = sf_cli_resume(c, R->cmdline, R->config, &R->resumed, &R->ctrl, &R->lr, e);
  }
  if (status == SF_OK && !c->resume) status = sf_cli_check_store(c->store, e);
  if (status == SF_OK && !c->resume) status = sf_controller_open(c->controller, &R->ctrl, e);
  if (status == SF_OK && !c->resume) status = sf_learner_open(c->learner, &R->lr, e);
  if (status == SF_OK && R->ctrl.file.path[0]) {  // absolute, for --resume
    snprintf(c->controller, sizeof(c->controller), "%s", R->ctrl.file.path);
  }
  if (status == SF_OK && R->lr.file.path[0]) {
    snprintf(c->learner, sizeof(c->learner), "%s", R->lr.file.path);
  }
  if (status == SF_OK) status = sf_cli_run_model(R, e);
  if (status == SF_OK) status = sf_cli_run_limits(c, &R->s, R->origin, e);
  if (status == SF_OK && c->from[0]) {
    status = sf_file_check_regular(c->from, "--from", "a suturefleet store", e);
    if (status == SF_OK) status = sf_store_read(c->from, &R->other, e);
    if (status == SF_OK) {
      status = sf_fleet_pooled(&R->other, &R->ctrl.skill, c->from, c->seed, &R->from,
                               &R->from_aim_reset, e);
    }
  }
  if (status == SF_OK && c->resume) {
    status = sf_fleet_replay_check(c, &R->ctrl.skill, &R->lr, c->from[0] ? &R->from : NULL,
                                   &R->resumed, e);
  }
  if (status == SF_OK && !c->resume) status = sf_config_check_text(c, e);
  if (status == SF_OK && !c->resume) status = sf_store_check_path(c->store, c->force, e);
  return status;
}

// the run's first line: its size, seed, ranks and threads, and the store
static void sf_cli_run_banner(const sfRunConfig* c, FILE* log) {
  static const char* modes[] = {"fleet", "solo", "both"};
  char ranks[32] = "";
  if (sf_dist_size() > 1) snprintf(ranks, sizeof(ranks), "%d ranks x ", sf_dist_size());
  fprintf(log,
          "suturefleet run: %d robots x %d rounds (mode %s), seed %llu, %s%d threads -> %s%s\n",
          c->robots, c->rounds, modes[c->mode], (unsigned long long)c->seed, ranks, c->threads,
          c->store, c->resume ? " (resumed)" : "");
}

// open the store (rank 0 writes it; every rank agrees on whether it opened), run the rounds,
// close the store
static sftStatus sf_cli_run_rounds(sfCliRun* R, FILE* log, sfError* e) {
  const sfRunConfig* c = &R->c;
  sfStore st;
  int writer = sf_dist_rank() == 0;
  sftStatus status = SF_OK;
  if (writer)
    status = sf_cli_open_store(c, &R->s, &R->ctrl, &R->lr, c->resume ? &R->resumed : NULL, &st, e);
  sftStatus opened = status;
  status = sf_dist_agree(status, e);
  if (status != SF_OK) {
    if (opened == SF_OK && writer) sf_store_close(&st, NULL);
    return status;
  }
  if (log) sf_cli_run_banner(c, log);
  if (log && R->from_aim_reset && !c->resume) {
    fprintf(log,
            "--from %s: its robots are seed %llu's, whose calibration error is not this seed's: "
            "the fleet's aim starts from the prior\n",
            c->from, (unsigned long long)R->other.seed);
  }
  sf_fleet_catch_signals();
  sfProgress prog;
  sfRunObserver obs;
  sf_progress_observer(&prog, log, &obs);
  status = sf_fleet_run(&R->s, c, &R->ctrl, &R->lr, c->from[0] ? &R->from : NULL,
                        c->resume ? &R->resumed : NULL, writer ? &st : NULL, &obs, &R->sum, e);
  sftStatus close_status = writer ? sf_store_close(&st, status == SF_OK ? e : NULL) : SF_OK;
  return status == SF_OK ? close_status : status;
}

// the last word: stopped by a signal (and how to continue), or what was written
static int sf_cli_run_report(const sfCliRun* R, FILE* log, FILE* err) {
  const sfRunSummary* sum = &R->sum;
  if (sum->stopped) {
    fprintf(err,
            "suturefleet run: stopped by %s after round %d of %d (stored); continue with: "
            "suturefleet run --store %s --resume\n",
            sum->stopped == SIGINT ? "SIGINT" : "SIGTERM", sum->last_round + 1, R->c.rounds,
            R->c.store);
    return 128 + sum->stopped;
  }
  if (!log) return SF_OK;
  fprintf(log,
          "wrote %ld episodes (%ld steps, %ld diverged, %ld faults) to %s in %.2f s "
          "(store %.1f%%); success rate %.3f\n",
          sum->episodes, sum->steps, sum->diverged, sum->faults, R->c.store, sum->wall_s,
          100 * sum->store_s / (sum->wall_s > 0 ? sum->wall_s : 1),
          (double)sum->successes / (double)(sum->episodes ? sum->episodes : 1));
  return SF_OK;
}

static int sf_cli_run(int argc, char** argv, FILE* out, FILE* err) {
  sfCliRun R;
  memset(&R, 0, sizeof(R));
  R.lock = (sfLock){-1, ""};
  sfError e = {{0}};

  // the configuration: defaults, --config, the command line
  if (sf_cli_parse_run(argc, argv, &R.c, &R.cmdline, &R.config, &e) != SF_OK ||
      sf_config_check(&R.c, &e) != SF_OK) {
    return sf_cli_usage_error(err, "run", e.msg);
  }
  char threads_origin[64];
  R.origin = sf_cli_threads_origin(&R.c, R.cmdline, threads_origin, sizeof(threads_origin));

  // checks, then the rounds into the store (every rank agrees on whether to go on)
  FILE* log = R.c.quiet ? NULL : out;
  sftStatus status = sf_cli_run_check(&R, &e);
  status = sf_dist_agree(status, &e);
  if (status == SF_OK) status = sf_cli_run_rounds(&R, log, &e);
  sf_lock_release(&R.lock);
  sf_scene_free(&R.s);
  sf_controller_close(&R.ctrl);
  sf_learner_close(&R.lr);
  sf_store_data_free(&R.resumed);
  sf_store_data_free(&R.other);
  if (status != SF_OK) {
    fprintf(err, "suturefleet run: %s\n", e.msg);
    return status;
  }
  return sf_cli_run_report(&R, log, err);
}

// print bench rows as a table or JSON
static void sf_cli_bench_json(FILE* out, const sfScene* s, const sfBenchRow* rows, int n,
                              long steps, const sfBenchLearner* lr, int nl,
                              const sfBenchEpisode* ep, int nep) {
  fprintf(out,
          "{\"model\": \"%s\", \"timestep_s\": %g, \"steps_per_thread\": %ld, \"ranks\": %d, "
          "\"rows\": [",
          s->path, s->m->opt.timestep, steps, sf_dist_size());
  for (int i = 0; i < n; i++) {
    const sfBenchRow* r = &rows[i];
    fprintf(out,
            "%s\n  {\"ranks\": %d, \"threads\": %d, \"raw_steps_per_s\": %.1f, "
            "\"pipeline_steps_per_s\": %.1f, \"ratio\": %.4f, \"store_share\": %.5f, "
            "\"sim_s_per_wall_s\": %.3f, \"episodes_per_s\": %.3f, \"time_split\": {",
            i ? "," : "", sf_dist_size(), r->threads, r->raw_sps, r->pipe_sps, r->ratio,
            r->store_share, r->sim_per_wall, r->episodes_ps);
    for (int p = 0; p < SF_PROF_N; p++) {
      fprintf(out, "\"%s\": %.5f, ", kSfProfPartNames[p], r->part_share[p]);
    }
    fprintf(out, "\"setup_and_waiting\": %.5f, \"store\": %.5f, \"learning_and_other\": %.5f}}",
            r->setup_share, r->profile_store_share, r->learn_share);
  }
  fprintf(out, "\n], \"reference_episodes\": [");
  for (int k = 0; k < nep; k++) {
    fprintf(out,
            "%s\n  {\"stitches\": %d, \"episodes\": %d, \"cpu_s\": %.4f, \"sim_s\": %.3f, "
            "\"handovers\": %.2f, \"success\": %.2f}",
            k ? "," : "", ep[k].stitches, SF_BENCH_REF_EPISODES, ep[k].cpu_s, ep[k].sim_s,
            ep[k].handovers, ep[k].success);
  }
  fprintf(out, "\n], \"learners\": {\"robots\": %d, \"rounds\": %d, \"rows\": [",
          SF_BENCH_LEARN_ROBOTS, SF_BENCH_LEARN_ROUNDS);
  for (int l = 0; l < nl; l++) {
    fprintf(out,
            "%s\n  {\"name\": \"%s\", \"update_ms\": %.4f, \"max_update_ms\": %.4f, "
            "\"state_bytes\": %.0f}",
            l ? "," : "", lr[l].name, lr[l].update_ms, lr[l].max_update_ms, lr[l].state_bytes);
  }
  fprintf(out, "\n]}}\n");
}

static void sf_cli_bench_print(FILE* out, const sfScene* s, const sfBenchRow* rows, int n,
                               long steps, const sfBenchLearner* lr, int nl,
                               const sfBenchEpisode* ep, int nep, int json) {
  if (json) {
    sf_cli_bench_json(out, s, rows, n, steps, lr, nl, ep, nep);
    return;
  }

  // throughput
  fprintf(out, "scene %s, timestep %g s, %ld steps per thread, %d rank%s\n", s->path,
          s->m->opt.timestep, steps, sf_dist_size(), sf_dist_size() > 1 ? "s" : "");
  fprintf(out,
          "ranks  threads  raw steps/s  pipeline steps/s  pipeline/raw  store share  sim s/wall s"
          "  episodes/s\n");
  for (int i = 0; i < n; i++) {
    const sfBenchRow* r = &rows[i];
    fprintf(out, "%5d  %7d  %11.0f  %16.0f  %12.3f  %10.2f%%  %12.1f  %10.2f\n", sf_dist_size(),
            r->threads, r->raw_sps, r->pipe_sps, r->ratio, 100 * r->store_share, r->sim_per_wall,
            r->episodes_ps);
  }

  // where the pipeline's wall time goes
  fprintf(out, "\ntime split of a profiled pipeline run (%% of wall time)\nthreads");
  for (int p = 0; p < SF_PROF_N; p++) fprintf(out, " %10s", kSfProfPartNames[p]);
  fprintf(out, " %10s %10s %10s\n", "setup+wait", "store", "learn+rest");
  for (int i = 0; i < n; i++) {
    const sfBenchRow* r = &rows[i];
    fprintf(out, "%7d", r->threads);
    for (int p = 0; p < SF_PROF_N; p++) fprintf(out, " %9.1f%%", 100 * r->part_share[p]);
    fprintf(out, " %9.1f%% %9.1f%% %9.1f%%\n", 100 * r->setup_share, 100 * r->profile_store_share,
            100 * r->learn_share);
  }

  // what an episode of the scene costs
  fprintf(out,
          "\nreference episodes (scripted-arc, %d calibrated robots, one thread)\n"
          "stitches  CPU s per episode  simulated s  handovers  success\n",
          SF_BENCH_REF_EPISODES);
  for (int k = 0; k < nep; k++) {
    fprintf(out, "%8d  %17.3f  %11.2f  %9.2f  %7.2f\n", ep[k].stitches, ep[k].cpu_s, ep[k].sim_s,
            ep[k].handovers, ep[k].success);
  }

  // what learning costs a large fleet
  fprintf(out,
          "\nlearner update, %d robots a round (synthetic episodes, %d rounds, one thread)\n"
          "learner  ms per round  slowest round  state after the last round\n",
          SF_BENCH_LEARN_ROBOTS, SF_BENCH_LEARN_ROUNDS);
  for (int l = 0; l < nl; l++) {
    fprintf(out, "%-7s  %12.3f  %13.3f  %20.2f MB\n", lr[l].name, lr[l].update_ms,
            lr[l].max_update_ms, lr[l].state_bytes / 1e6);
  }
}

// suturefleet bench
static int sf_cli_bench(int argc, char** argv, FILE* out, FILE* err) {
  int threads = omp_get_num_procs(), json = 0, steps = 40000;
  const char* model = sf_scene_default_path();
  sfError e = {{0}};

  // options
  static const char* flags[] = {"--json", NULL};
  static const char* keys[] = {"--model", "--threads", "--steps", NULL};
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    if (sf_cli_arg(argc, argv, &i, flags, keys, &kind, &k, &v, &e) != SF_OK) {
      return sf_cli_usage_error(err, "bench", e.msg);
    }
    if (kind == SF_ARG_OPERAND) {
      sf_fail(&e, SF_ERR_INPUT, "unknown option '%s'", v);
      return sf_cli_usage_error(err, "bench", e.msg);
    }
    if (kind == SF_ARG_FLAG) {
      json = 1;
    } else if (k == 0) {
      model = v;
    } else if (sf_parse_int(v, 1, k == 1 ? SF_MAX_THREADS : 100000000,
                            k == 1 ? &threads : &steps)) {
      sf_fail(&e, SF_ERR_INPUT, "%s: expected a positive integer, got '%s'", keys[k], v);
      return sf_cli_usage_error(err, "bench", e.msg);
    }
  }

  // measure
  sfScene s;
  sftStatus status = sf_scene_load(&s, model, &e);
  sfBenchRow* rows = SF_CALLOC(threads, sizeof(sfBenchRow));
  if (status == SF_OK) status = sf_bench_run(&s, threads, steps, rows, &e);
  sfBenchLearner lr[8];
  int nl = sf_learner_builtin_count();
  SF_ASSERT(nl <= 8);
  if (status == SF_OK) sf_bench_learners(lr);
  sfBenchEpisode ep[2];
  int nep = status == SF_OK ? sf_bench_episodes(&s, ep) : 0;
  if (status == SF_OK) sf_cli_bench_print(out, &s, rows, threads, steps, lr, nl, ep, nep, json);
  if (status != SF_OK) fprintf(err, "suturefleet bench: %s\n", e.msg);
  free(rows);
  sf_scene_free(&s);
  return status;
}

// eval settings
typedef struct sfEvalArgs_ {
  const char* skill;  // "reference" or a file
  int episodes;
  uint64_t seed;
  int threads;
  int stitches;
  int calibrated;
  int json;
  const char* controller;
  const char* model;
} sfEvalArgs;

// parse eval's options; SF_ERR_INPUT with the message in e
static sftStatus sf_cli_parse_eval(int argc, char** argv, sfEvalArgs* a, sfError* e) {
  *a = (sfEvalArgs){"reference", 200, 1, omp_get_max_threads(), 1, 1, 0, "scripted-arc", NULL};
  int model_given = 0;
  static const char* flags[] = {"--json", NULL};
  static const char* keys[] = {"--skill",      "--episodes", "--seed",
                               "--threads",    "--stitches", "--calibration",
                               "--controller", "--model",    NULL};
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    sftStatus st = sf_cli_arg(argc, argv, &i, flags, keys, &kind, &k, &v, e);
    if (st != SF_OK) return st;
    if (kind == SF_ARG_OPERAND) return sf_fail(e, SF_ERR_INPUT, "unknown option '%s'", v);
    if (kind == SF_ARG_FLAG) {
      a->json = 1;
      continue;
    }
    int bad = 0;
    if (k == 0) a->skill = v;
    if (k == 1) bad = sf_parse_int(v, 1, 10000000, &a->episodes);
    if (k == 2) bad = sf_parse_u64(v, &a->seed);
    if (k == 3) bad = sf_parse_int(v, 1, SF_MAX_THREADS, &a->threads);
    if (k == 4) bad = sf_parse_int(v, 1, SF_MAX_STITCHES, &a->stitches);
    if (k == 5) {
      a->calibrated = !strcmp(v, "none") ? 1 : !strcmp(v, "robot") ? 0 : -1;
      bad = a->calibrated < 0;
    }
    if (k == 6) a->controller = v;
    if (k == 7) a->model = v, model_given = 1;
    if (bad) {
      static const char* expect[] = {"",
                                     "a positive integer",
                                     "a non-negative integer seed",
                                     "an integer from 1 to " SF_STR(SF_MAX_THREADS),
                                     "an integer from 1 to " SF_STR(SF_MAX_STITCHES),
                                     "'none' or 'robot'",
                                     "",
                                     ""};
      return sf_fail(e, SF_ERR_INPUT, "%s: expected %s, got '%s'", keys[k], expect[k], v);
    }
  }
  if (!model_given) a->model = sf_scene_default_for(a->stitches);
  return SF_OK;
}

// print an eval summary as text or JSON
// why episodes failed: how many missed each of success's criteria (an episode may miss several)
#define SF_EVAL_NFAILED 10
typedef struct sfEvalFailed_ {
  long n[SF_EVAL_NFAILED];
} sfEvalFailed;

static const char* const kEvalFailed[SF_EVAL_NFAILED] = {
    "not_completed", "throws_off", "dropped",     "fault",     "diverged",
    "trauma",        "closure",    "cut_through", "handovers", "clash"};

// count the criteria result r missed (stitches throws, two arms when narm is 2)
static void sf_eval_failed_add(sfEvalFailed* f, const sfEpisodeResult* r, int narm) {
  int miss[SF_EVAL_NFAILED] = {
      !r->completed,
      r->throws_ok<r->stitches, r->dropped, r->fault, r->diverged, r->trauma_mm2> SF_TRAUMA_MAX_MM2,
      !(r->closure >= SF_CLOSURE_MIN),
      r->cut_through > 0,
      narm == 2 && r->handovers < r->stitches - 1,
      r->end_reason == SF_END_CLASH};
  for (int i = 0; i < SF_EVAL_NFAILED; i++) f->n[i] += miss[i];
}

static void sf_cli_eval_print(FILE* out, const sfEvalArgs* a, const double* theta,
                              const sfSkillDef* def, const sfRunSummary* sum, long completed,
                              long dropped, double tip_out_mm, const sfEvalFailed* failed) {
  double rate = (double)sum->successes / (double)sum->episodes, lo, hi;
  sf_wilson95((double)sum->successes, (double)sum->episodes, &lo, &hi);
  if (a->json) {
    fprintf(out, "{\"episodes\": %ld, \"success_rate\": %.4f, \"success_ci95\": [%.4f, %.4f], ",
            sum->episodes, rate, lo, hi);
    fputs("\"entry_err_mm\": ", out);
    sf_json_num(out, sum->entry_err_mm);
    fputs(", \"exit_err_mm\": ", out);
    sf_json_num(out, sum->exit_err_mm);
    fputs(", \"tip_out_mm\": ", out);
    sf_json_num(out, tip_out_mm);
    fputs(", \"wound_closure\": ", out);
    sf_json_num(out, sum->closure);
    fputs(", \"wound_closure_min\": ", out);
    sf_json_num(out, sum->closure_min);
    fputs(", \"thread_tension_max_N\": ", out);
    sf_json_num(out, sum->tension_max_N);
    fputs(", \"thread_used_mm\": ", out);
    sf_json_num(out, sum->thread_used_mm);
    fprintf(out, ", \"cut_through\": %ld", sum->cut_through);
    fprintf(out, ", \"handovers\": %.4f, \"handovers_failed\": %ld, \"handover_time_s\": ",
            sum->handovers, sum->handovers_failed);
    sf_json_num(out, sum->handover_s);
    fputs(", \"failed\": {", out);
    for (int i = 0; i < SF_EVAL_NFAILED; i++)
      fprintf(out, "%s\"%s\": %ld", i ? ", " : "", kEvalFailed[i], failed->n[i]);
    fputs("}", out);
    fprintf(out,
            ", \"trauma\": %.4f, \"peak_force_N\": %.4f, \"time_s\": %.4f, "
            "\"completed_rate\": %.4f, \"dropped\": %ld, \"faults\": %ld, \"diverged\": %ld, "
            "\"seed\": %llu, \"stitches\": %d, \"calibration\": \"%s\", \"controller\": ",
            sum->trauma_mm2, sum->peak_force_N, sum->time_s,
            (double)completed / (double)sum->episodes, dropped, sum->faults, sum->diverged,
            (unsigned long long)a->seed, a->stitches, a->calibrated ? "none" : "robot");
    sf_json_str(out, a->controller);
    fputs(", \"skill\": {", out);
    for (int i = 0; i < def->n; i++) {
      fputs(i ? ", " : "", out);
      sf_json_str(out, def->name[i]);
      fprintf(out, ": %g", theta[i]);
    }
    fprintf(out, "}}\n");
    return;
  }
  fprintf(out, "%ld episodes, seed %llu, %d stitch(es), calibration %s, controller %s\n",
          sum->episodes, (unsigned long long)a->seed, a->stitches, a->calibrated ? "none" : "robot",
          a->controller);
  fprintf(out, "success rate   %.3f  (95%% CI %.3f .. %.3f)\n", rate, lo, hi);
  fprintf(out, "entry error    %.3f mm\nexit error     %.3f mm\ntip out        %.3f mm\n",
          sum->entry_err_mm, sum->exit_err_mm, tip_out_mm);
  fprintf(out, "trauma         %.3f mm^2\npeak force     %.3f N\ntime           %.3f s\n",
          sum->trauma_mm2, sum->peak_force_N, sum->time_s);
  fprintf(out,
          "wound closure  %.3f over the sutured span (worst point %.3f)\n"
          "thread tension %.3f N (largest at the needle)\nthread used    %.1f mm\n"
          "cut-through    %ld episode(s)\n",
          sum->closure, sum->closure_min, sum->tension_max_N, sum->thread_used_mm,
          sum->cut_through);
  char each[32] = "";
  if (sum->nhandover) snprintf(each, sizeof(each), ", %.3f s each", sum->handover_s);
  fprintf(out, "handovers      %.2f per episode, %ld failed%s\n", sum->handovers,
          sum->handovers_failed, each);
  fprintf(out, "completed %ld, dropped %ld, faults %ld, diverged %ld\n", completed, dropped,
          sum->faults, sum->diverged);
  fputs("failed on     ", out);
  for (int i = 0; i < SF_EVAL_NFAILED; i++) fprintf(out, " %s %ld", kEvalFailed[i], failed->n[i]);
  fputs("\n", out);
}

// suturefleet eval
// eval's controller, skill (theta) and scene, checked before anything runs; on failure the
// message is in e and nothing is left open
static sftStatus sf_cli_eval_open(const sfEvalArgs* a, sfController* ctrl, double* theta,
                                  sfScene* s, sfError* e) {
  // the controller and the skill
  const sfSkillDef* def = &ctrl->skill;
  sftStatus status = sf_controller_open(a->controller, ctrl, e);
  if (status != SF_OK) return status;
  if (!strcmp(a->skill, "reference")) {
    memcpy(theta, def->ref, sizeof(double) * (size_t)def->n);
  } else {
    status = sf_skill_load(def, a->skill, theta, e);
  }

  // the scene, with the pairs the stitches need
  if (status == SF_OK) status = sf_file_check_regular(a->model, "--model", "an MJCF file", e);
  if (status == SF_OK) status = sf_scene_load(s, a->model, e);
  if (status == SF_OK) status = sf_task_check(s, ctrl, a->stitches, e);
  if (status != SF_OK) {
    sf_scene_free(s);
    sf_controller_close(ctrl);
  }
  return status;
}

// eval's episodes in parallel (robot i's context for episode i), then their summary printed
static sftStatus sf_cli_eval_episodes(FILE* out, const sfEvalArgs* a, const sfScene* s,
                                      const sfController* ctrl, const double* theta, sfError* e) {
  // the episodes
  sfWorker* workers = SF_CALLOC(a->threads, sizeof(sfWorker));
  sfEpisodeSpec* specs = SF_CALLOC(a->episodes, sizeof(sfEpisodeSpec));
  sfEpisodeResult* res = SF_CALLOC(a->episodes, sizeof(sfEpisodeResult));
  sfEpisodeRow* rows = SF_CALLOC(a->episodes, sizeof(sfEpisodeRow));
  sftStatus status = sf_workers_make(workers, a->threads, s, ctrl, e);
  if (status == SF_OK) {
    for (int i = 0; i < a->episodes; i++) {
      specs[i] = (sfEpisodeSpec){.seed = a->seed,
                                 .robot = i,
                                 .round = 0,
                                 .episode_id = i,
                                 .stitches = a->stitches,
                                 .calibrated = a->calibrated,
                                 .theta = theta,
                                 .context_robot = i};
    }
    sf_fleet_parallel(s, workers, a->threads, specs, NULL, a->episodes, res, NULL);
    sf_workers_free(workers, a->threads);

    // the summary: the store's metrics of the rows, and what only results carry
    sfRunSummary sum = {0};
    long completed = 0, dropped = 0, nout = 0;
    sfEvalFailed failed = {{0}};
    double tip_out = 0;
    for (int i = 0; i < a->episodes; i++) sf_store_episode_row(&res[i], "", "", &rows[i]);
    sf_summary_add(&sum, rows, a->episodes);
    sf_summary_finish(&sum);
    for (int i = 0; i < a->episodes; i++) {
      completed += res[i].completed;
      dropped += res[i].dropped;
      if (!isnan(res[i].tip_out_mm)) tip_out += res[i].tip_out_mm, nout++;
      sf_eval_failed_add(&failed, &res[i], s->narm);
    }
    sf_cli_eval_print(out, a, theta, &ctrl->skill, &sum, completed, dropped,
                      nout ? tip_out / (double)nout : NAN, &failed);
  }
  free(workers);
  free(specs);
  free(res);
  free(rows);
  return status;
}

static int sf_cli_eval(int argc, char** argv, FILE* out, FILE* err) {
  // options
  sfEvalArgs a;
  sfError e = {{0}};
  if (sf_cli_parse_eval(argc, argv, &a, &e) != SF_OK ||
      sf_cli_check_threads(a.threads, "OpenMP's default (OMP_NUM_THREADS or the cores)", &e) !=
          SF_OK) {
    return sf_cli_usage_error(err, "eval", e.msg);
  }

  // the controller, the skill and the scene, then the episodes
  sfController ctrl;
  sfScene s = {0};
  double theta[SF_MAX_THETA];
  sftStatus status = sf_cli_eval_open(&a, &ctrl, theta, &s, &e);
  if (status == SF_OK) {
    status = sf_cli_eval_episodes(out, &a, &s, &ctrl, theta, &e);
    sf_scene_free(&s);
    sf_controller_close(&ctrl);
  }
  if (status != SF_OK) fprintf(err, "suturefleet eval: %s\n", e.msg);
  return status;
}

// print a store's summary
// what info says of a store besides its rounds
typedef struct sfInfoHead_ {
  long cohort_robots[2];  // robots of the fleet and the solo cohort
  int done;               // last complete round
  int pending;            // a journal: a round being written, or left by a stopped writer
} sfInfoHead;

static const char* kCohortNames[2] = {"fleet", "solo"};

// info as JSON: the store's identity, then one object per cohort and round
static void sf_cli_info_json(FILE* out, const char* path, const sfStoreData* d, int rounds,
                             const sfRunSummary* st, const sfInfoHead* h) {
  // identity and configuration
  fprintf(out, "{\"store\": ");
  sf_json_str(out, path);
  fprintf(out,
          ", \"schema_version\": %d, \"seed\": %llu, \"model_hash\": \"%s\", "
          "\"mujoco_version\": \"%s\", \"controller\": ",
          d->schema_version, (unsigned long long)d->seed, d->model_hash, d->mujoco_version);
  sf_json_str(out, d->controller);
  fprintf(out, ", \"controller_hash\": \"%s\", \"learner\": ", d->controller_hash);
  sf_json_str(out, d->learner);
  fprintf(out,
          ", \"learner_hash\": \"%s\", \"episodes\": %ld, \"rounds_done\": %d, "
          "\"round_in_progress\": %s, \"robots\": {\"fleet\": %ld, \"solo\": %ld}, "
          "\"configuration\": ",
          d->learner_hash, d->nepisodes, h->done + 1, h->pending ? "true" : "false",
          h->cohort_robots[0], h->cohort_robots[1]);
  sf_json_str(out, d->configuration);

  // the rounds of each cohort that has episodes in them
  fprintf(out, ", \"rounds\": [");
  int first = 1;
  for (int c = 0; c < 2; c++) {
    for (int r = 0; r < rounds; r++) {
      const sfRunSummary* x = &st[c * rounds + r];
      if (!x->episodes) continue;
      fprintf(out,
              "%s\n  {\"cohort\": \"%s\", \"round\": %d, \"episodes\": %ld, "
              "\"success_rate\": %.4f, \"entry_err_mm\": ",
              first ? "" : ",", kCohortNames[c], r, x->episodes,
              (double)x->successes / (double)x->episodes);
      sf_json_num(out, x->entry_err_mm);
      fputs(", \"exit_err_mm\": ", out);
      sf_json_num(out, x->exit_err_mm);
      fprintf(out, ", \"trauma\": %.4f, \"peak_force_N\": %.4f, \"time_s\": %.4f", x->trauma_mm2,
              x->peak_force_N, x->time_s);
      fputs(", \"wound_closure\": ", out);
      sf_json_num(out, x->closure);
      fprintf(out, ", \"cut_through\": %ld, \"handovers\": %.4f, \"handovers_failed\": %ld}",
              x->cut_through, x->handovers, x->handovers_failed);
      first = 0;
    }
  }
  fprintf(out, "\n]}\n");
}

// info as text: the store's identity, then a table of the rounds, fleet and solo side by side
static void sf_cli_info_text(FILE* out, const char* path, const sfStoreData* d, int rounds,
                             const sfRunSummary* st, const sfInfoHead* h) {
  // identity, configuration, cohorts; a round in progress
  fprintf(out, "store %s (schema %d, MuJoCo %s, model %s, seed %llu)\n", path, d->schema_version,
          d->mujoco_version, d->model_hash, (unsigned long long)d->seed);
  fprintf(out, "controller %s (%s)\n", d->controller, d->controller_hash);
  fprintf(out, "learner %s (%s)\n", d->learner, d->learner_hash);
  fprintf(out, "configuration:\n%s", d->configuration);
  fprintf(out, "robots: %ld fleet, %ld solo; %ld episodes; %d rounds complete\n",
          h->cohort_robots[0], h->cohort_robots[1], d->nepisodes, h->done + 1);
  if (h->pending) {
    fprintf(out,
            "a round is being written, or its writer was stopped while writing it (%s-journal): "
            "shown as of the last complete round; 'suturefleet run --store %s --resume' "
            "finishes a stopped run\n",
            path, path);
  }

  // the table's header, then one line per round
  fprintf(out,
          "per round (n: episodes, ok: success rate, entry: SRC entry error mm, trauma mm^2, "
          "time s)\n");
  fprintf(out, "round |");
  for (int c = 0; c < 2; c++) {
    fprintf(out, "%6s%5s %5s %6s %7s %6s %s", kCohortNames[c], "n", "ok", "entry", "trauma", "time",
            c ? "\n" : "|");
  }
  for (int r = 0; r < rounds; r++) {
    fprintf(out, "%5d |", r);
    for (int c = 0; c < 2; c++) {
      const sfRunSummary* x = &st[c * rounds + r];
      if (!x->episodes) {
        fprintf(out, "%40s%s", "", c ? "\n" : "|");
        continue;
      }
      fprintf(out, "%11ld %5.2f %6.2f %7.2f %6.2f %s", x->episodes,
              (double)x->successes / (double)x->episodes, x->entry_err_mm, x->trauma_mm2, x->time_s,
              c ? "\n" : "|");
    }
  }
}

// print info on a store read as d, with its per-round summaries st (2 cohorts x rounds)
static void sf_cli_info_print(FILE* out, const char* path, const sfStoreData* d, int rounds,
                              const sfRunSummary* st, int json) {
  sfInfoHead h = {{0, 0}, sf_fleet_rounds_done(d), 0};
  for (long i = 0; i < d->nrobots; i++) h.cohort_robots[d->robots[i].cohort ? 1 : 0]++;
  sfJournalStamp stamp;
  sf_journal_stamp(path, &stamp);
  h.pending = stamp.journal_ino >= 0;
  if (json)
    sf_cli_info_json(out, path, d, rounds, st, &h);
  else
    sf_cli_info_text(out, path, d, rounds, st, &h);
}

// the arguments of a command taking at most one operand and --json (expect describes them);
// exit code 2 after a usage message for anything else, SF_OK otherwise
static int sf_cli_operand(int argc, char** argv, const char* cmd, const char* expect, FILE* err,
                          const char** operand, int* json) {
  *operand = NULL;
  *json = 0;
  for (int i = 0; i < argc; i++) {
    if (!strcmp(argv[i], "--json")) {
      *json = 1;
    } else if (argv[i][0] == '-' || *operand) {
      char msg[256];
      snprintf(msg, sizeof(msg), "unexpected argument '%s' (expected %s)", argv[i], expect);
      return sf_cli_usage_error(err, cmd, msg);
    } else {
      *operand = argv[i];
    }
  }
  return SF_OK;
}

// suturefleet study
static int sf_cli_study(int argc, char** argv, FILE* out, FILE* err) {
  sfStudyArgs a = {NULL, NULL, omp_get_max_threads(), 0, 0, 0, 0};
  static const char* flags[] = {"--resume", "--dry-run", "--json", "--quiet", NULL};
  static const char* keys[] = {"--out", "--threads", NULL};
  sfError e = {{0}};
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    if (sf_cli_arg(argc, argv, &i, flags, keys, &kind, &k, &v, &e) != SF_OK) {
      return sf_cli_usage_error(err, "study", e.msg);
    }
    if (kind == SF_ARG_FLAG) {
      int* set[] = {&a.resume, &a.dry_run, &a.json, &a.quiet};
      *set[k] = 1;
    } else if (kind == SF_ARG_OPERAND && !a.spec) {
      a.spec = v;
    } else if (kind == SF_ARG_OPERAND) {
      sf_fail(&e, SF_ERR_INPUT, "unexpected argument '%s' (expected one SPEC.ini)", v);
      return sf_cli_usage_error(err, "study", e.msg);
    } else if (k == 0) {
      a.out = v;
    } else if (sf_parse_int(v, 1, SF_MAX_THREADS, &a.threads)) {
      sf_fail(&e, SF_ERR_INPUT, "--threads: expected an integer from 1 to %d, got '%s'",
              SF_MAX_THREADS, v);
      return sf_cli_usage_error(err, "study", e.msg);
    }
  }
  if (!a.spec) return sf_cli_usage_error(err, "study", "expected a study spec (SPEC.ini)");
  return sf_study_main(&a, sf_cli_run, out, err);
}

// suturefleet info
static int sf_cli_info(int argc, char** argv, FILE* out, FILE* err) {
  const char* path;
  int json;
  int code = sf_cli_operand(argc, argv, "info", "STORE [--json]", err, &path, &json);
  if (code != SF_OK) return code;
  if (!path) return sf_cli_usage_error(err, "info", "expected a store path");

  // read, then group by cohort and round
  sfStoreData d;
  sfError e = {{0}};
  sftStatus status = sf_store_read(path, &d, &e);
  if (status != SF_OK) {
    fprintf(err, "suturefleet info: %s\n", e.msg);
    return status;
  }
  int rounds = 1;
  for (long i = 0; i < d.nepisodes; i++) {
    if (d.episodes[i].round + 1 > rounds) rounds = d.episodes[i].round + 1;
  }
  sfRunSummary* st = SF_CALLOC(2 * (size_t)rounds, sizeof(sfRunSummary));
  for (long i = 0; i < d.nepisodes; i++) {
    const sfEpisodeRow* r = &d.episodes[i];
    if (r->round >= 0) sf_summary_count(&st[(r->cohort ? 1 : 0) * rounds + r->round], r);
  }
  for (int i = 0; i < 2 * rounds; i++) sf_summary_finish(&st[i]);
  sf_cli_info_print(out, path, &d, rounds, st, json);
  free(st);
  sf_store_data_free(&d);
  return SF_OK;
}

// describe controller c as text or JSON
static void sf_cli_controller_print(FILE* out, const sfController* c, int json) {
  const sfcController* t = c->api;
  const sfSkillDef* k = &c->skill;
  if (json) {
    fputs("{\"name\": ", out);
    sf_json_str(out, c->name);
    fputs(", \"description\": ", out);
    sf_json_str(out, t->description);
    fputs(", \"path\": ", out);
    sf_json_str(out, c->file.path);
    fprintf(out, ", \"hash\": \"%s\", \"abi_version\": %u, \"aim\": [", c->file.hash,
            (unsigned)t->abi_version);
    for (int j = 0; k->has_aim && j < 3; j++) fprintf(out, "%s%d", j ? ", " : "", k->aim[j]);
    fputs("], \"params\": [", out);
    for (int i = 0; i < k->n; i++) {
      fprintf(out, "%s\n  {\"name\": ", i ? "," : "");
      sf_json_str(out, k->name[i]);
      fputs(", \"unit\": ", out);
      sf_json_str(out, k->unit[i]);
      fprintf(out,
              ", \"lo\": %.12g, \"hi\": %.12g, \"ref\": %.12g, \"prior_mean\": %.12g, "
              "\"prior_sd\": %.12g, \"doc\": ",
              k->lo[i], k->hi[i], k->ref[i], k->prior_mean[i], k->prior_sd[i]);
      sf_json_str(out, k->doc[i]);
      fputc('}', out);
    }
    fputs("\n]}\n", out);
    return;
  }
  fprintf(out, "controller %s (%s, ABI version %u, hash %s)\n", c->name,
          c->file.path[0] ? c->file.path : "built-in", (unsigned)t->abi_version, c->file.hash);
  if (t->description) fprintf(out, "  %s\n", t->description);
  fprintf(out, "skill values (%d):\n", k->n);
  fprintf(out, "  %-20s %-6s %9s %9s %9s %15s  %s\n", "name", "unit", "lo", "hi", "reference",
          "prior", "meaning");
  for (int i = 0; i < k->n; i++) {
    char prior[64];
    snprintf(prior, sizeof(prior), "%g +- %g", k->prior_mean[i], k->prior_sd[i]);
    fprintf(out, "  %-20s %-6s %9g %9g %9g %15s  %s\n", k->name[i], k->unit[i], k->lo[i], k->hi[i],
            k->ref[i], prior, k->doc[i]);
  }
  if (k->has_aim) {
    fprintf(out, "aim values (entry point along, across, normal): %s, %s, %s\n", k->name[k->aim[0]],
            k->name[k->aim[1]], k->name[k->aim[2]]);
  }
}

// suturefleet controllers
static int sf_cli_controllers(int argc, char** argv, FILE* out, FILE* err) {
  const char* spec;
  int json;
  int code =
      sf_cli_operand(argc, argv, "controllers", "[NAME|PATH.so] [--json]", err, &spec, &json);
  if (code != SF_OK) return code;

  // the list of built-ins
  if (!spec) {
    fputs(json ? "{\"builtin\": [" : "built-in controllers:\n", out);
    for (int i = 0; i < sf_controller_builtin_count(); i++) {
      const sfcController* t = sf_controller_builtin(i);
      if (json) {
        fputs(i ? ", " : "", out);
        sf_json_str(out, t->name);
      } else {
        fprintf(out, "  %-16s %2d skill values  %s\n", t->name, t->nparam, t->description);
      }
    }
    fputs(json ? "]}\n" : "plug-ins: suturefleet controllers PATH.so describes one\n", out);
    return SF_OK;
  }

  // one controller, loaded and checked as run and eval load it
  sfController c;
  sfError e = {{0}};
  sftStatus status = sf_controller_open(spec, &c, &e);
  if (status != SF_OK) {
    fprintf(err, "suturefleet controllers: %s\n", e.msg);
    return status;
  }
  sf_cli_controller_print(out, &c, json);
  sf_controller_close(&c);
  return SF_OK;
}

// describe learner l as text or JSON
static void sf_cli_learner_print(FILE* out, const sfLearner* l, int json) {
  const sflLearner* t = l->api;
  if (json) {
    fputs("{\"name\": ", out);
    sf_json_str(out, l->name);
    fputs(", \"description\": ", out);
    sf_json_str(out, t->description);
    fputs(", \"path\": ", out);
    sf_json_str(out, l->file.path);
    fprintf(out, ", \"hash\": \"%s\", \"abi_version\": %u, \"default\": %s}\n", l->file.hash,
            (unsigned)t->abi_version, strcmp(l->name, SF_LEARNER_DEFAULT) ? "false" : "true");
    return;
  }
  fprintf(out, "learner %s (%s, ABI version %u, hash %s)%s\n", l->name,
          l->file.path[0] ? l->file.path : "built-in", (unsigned)t->abi_version, l->file.hash,
          strcmp(l->name, SF_LEARNER_DEFAULT) || l->file.path[0] ? "" : ", the default");
  if (t->description) fprintf(out, "  %s\n", t->description);
}

// suturefleet learners
static int sf_cli_learners(int argc, char** argv, FILE* out, FILE* err) {
  const char* spec;
  int json;
  int code = sf_cli_operand(argc, argv, "learners", "[NAME|PATH.so] [--json]", err, &spec, &json);
  if (code != SF_OK) return code;

  // the list of built-ins
  if (!spec) {
    fputs(
        json ? "{\"default\": \"" SF_LEARNER_DEFAULT "\", \"builtin\": [" : "built-in learners:\n",
        out);
    for (int i = 0; i < sf_learner_builtin_count(); i++) {
      const sflLearner* t = sf_learner_builtin(i);
      if (json) {
        fputs(i ? ", " : "", out);
        sf_json_str(out, t->name);
      } else {
        fprintf(out, "  %-8s %s%s\n", t->name, t->description,
                strcmp(t->name, SF_LEARNER_DEFAULT) ? "" : " (the default)");
      }
    }
    fputs(json ? "]}\n" : "plug-ins: suturefleet learners PATH.so describes one\n", out);
    return SF_OK;
  }

  // one learner, loaded and checked as run loads it
  sfLearner l;
  sfError e = {{0}};
  sftStatus status = sf_learner_open(spec, &l, &e);
  if (status != SF_OK) {
    fprintf(err, "suturefleet learners: %s\n", e.msg);
    return status;
  }
  sf_cli_learner_print(out, &l, json);
  sf_learner_close(&l);
  return SF_OK;
}

#define SF_LITERATURE "literature/robotic_suturing_time.csv"
#define SF_CURVES_MAX_STORES 64

// curves' options
typedef struct sfCurvesArgs_ {
  const char* store[SF_CURVES_MAX_STORES];
  int nstore;
  int metric;
  const char* csv;   // NULL: none
  const char* plot;  // NULL: none
  const char* lit;   // NULL: the default for the metric; "none": none
  const char* title;
} sfCurvesArgs;

// parse curves' arguments; SF_ERR_INPUT with the message in e
static sftStatus sf_cli_parse_curves(int argc, char** argv, sfCurvesArgs* a, sfError* e) {
  memset(a, 0, sizeof(*a));
  static const char* keys[] = {"--metric", "--csv", "--plot", "--literature", "--title", NULL};
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    sftStatus st = sf_cli_arg(argc, argv, &i, NULL, keys, &kind, &k, &v, e);
    if (st != SF_OK) return st;
    if (kind == SF_ARG_OPERAND) {
      if (a->nstore == SF_CURVES_MAX_STORES) {
        return sf_fail(e, SF_ERR_INPUT, "more than %d stores", SF_CURVES_MAX_STORES);
      }
      a->store[a->nstore++] = v;
      continue;
    }
    const char** slot[] = {NULL, &a->csv, &a->plot, &a->lit, &a->title};
    if (k == 0 && (a->metric = sf_metric_parse(v)) < 0) {
      return sf_fail(e, SF_ERR_INPUT,
                     "--metric: expected success, time, entry_err, trauma or closure, got "
                     "'%s'",
                     v);
    }
    if (k > 0) *slot[k] = v;
  }
  if (!a->nstore) return sf_fail(e, SF_ERR_INPUT, "expected at least one store path");
  if (!a->csv && !a->plot) a->csv = "-";
  return SF_OK;
}

// the literature curve to draw for the arguments (NULL: none); SF_ERR_INPUT if a given file is
// missing
static sftStatus sf_cli_literature(const sfCurvesArgs* a, const char** lit, sfError* e) {
  *lit = NULL;
  if (a->lit && !strcmp(a->lit, "none")) return SF_OK;
  if (!a->lit) {
    // the installed copy, or the source tree's for a build-tree binary
    static char path[4096];
    const char* dflt =
        sf_data_path(path, sizeof(path), SF_LITERATURE, SF_DATA_DIR "/" SF_LITERATURE);
    if (a->metric == SF_METRIC_TIME && access(dflt, R_OK) == 0) *lit = dflt;
    return SF_OK;
  }
  if (access(a->lit, R_OK) != 0) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--literature '%s': cannot read it (expected a CSV file of "
                   "repetition,time_s rows)",
                   a->lit);
  }
  *lit = a->lit;
  return SF_OK;
}

// suturefleet curves
static int sf_cli_curves(int argc, char** argv, FILE* out, FILE* err) {
  sfCurvesArgs a;
  sfError e = {{0}};
  if (sf_cli_parse_curves(argc, argv, &a, &e) != SF_OK) {
    return sf_cli_usage_error(err, "curves", e.msg);
  }

  // every store read, then the curves
  sfStoreData* d = SF_CALLOC(a.nstore, sizeof(sfStoreData));
  const char* lit = NULL;
  sftStatus status = sf_cli_literature(&a, &lit, &e);
  for (int i = 0; status == SF_OK && i < a.nstore; i++)
    status = sf_store_read(a.store[i], &d[i], &e);
  sfCurvePoint* p = NULL;
  int n = 0;
  if (status == SF_OK) status = sf_curves(d, a.nstore, a.metric, &p, &n, &e);

  // outputs: CSV, plot
  if (status == SF_OK && a.csv) {
    FILE* f = strcmp(a.csv, "-") ? fopen(a.csv, "w") : out;
    if (!f) {
      status =
          sf_fail(&e, SF_ERR_INPUT, "--csv '%s': cannot write it (%s)", a.csv, strerror(errno));
    } else {
      sf_curves_csv(f, a.metric, p, n);
      if (f != out && fclose(f) != 0) {
        status = sf_fail(&e, SF_ERR_RUN, "--csv '%s': write failed", a.csv);
      }
    }
  }
  if (status == SF_OK && a.plot) {
    char title[512];
    snprintf(title, sizeof(title), "%s", a.title ? a.title : "");
    if (!a.title) {
      snprintf(title, sizeof(title), "%s: %s (%d store%s)", sf_metric_label(a.metric),
               a.nstore == 1 ? a.store[0] : "fleet vs solo", a.nstore, a.nstore == 1 ? "" : "s");
    }
    for (char* q = title; *q; q++) {
      if (*q == '\'' || (unsigned char)*q < 0x20) *q = ' ';  // one plain line for gnuplot
    }
    status = sf_curves_plot(a.plot, a.metric, p, n, lit, title, &e);
  }
  for (int i = 0; i < a.nstore; i++) sf_store_data_free(&d[i]);
  free(d);
  free(p);
  if (status != SF_OK) fprintf(err, "suturefleet curves: %s\n", e.msg);
  return status;
}

// parse replay's arguments; SF_ERR_INPUT with the message in e
static sftStatus sf_cli_parse_replay(int argc, char** argv, sfReplayArgs* a, sfError* e) {
  *a = (sfReplayArgs){NULL, -1, NULL, 0, 640, 480, 30, 0, 1, NULL};
  static const char* flags[] = {"--window", "--no-resimulate", NULL};
  static const char* keys[] = {"--episode", "--out",    "--width",      "--height",
                               "--fps",     "--frames", "--controller", NULL};
  for (int i = 0; i < argc; i++) {
    sftArg kind;
    int k;
    const char* v;
    sftStatus st = sf_cli_arg(argc, argv, &i, flags, keys, &kind, &k, &v, e);
    if (st != SF_OK) return st;
    if (kind == SF_ARG_OPERAND) {
      if (a->store) return sf_fail(e, SF_ERR_INPUT, "unexpected argument '%s'", v);
      a->store = v;
      continue;
    }
    if (kind == SF_ARG_FLAG) {
      if (k == 0) a->window = 1;
      if (k == 1) a->resimulate = 0;
      continue;
    }
    int bad = 0, iv = 0;
    char* end = NULL;
    if (k == 0) a->episode = strtol(v, &end, 10), bad = !*v || *end || a->episode < 0;
    if (k == 1) a->out = v;
    if (k == 2) bad = sf_parse_int(v, 16, 4096, &a->width);
    if (k == 3) bad = sf_parse_int(v, 16, 4096, &a->height);
    if (k == 4) a->fps = strtod(v, &end), bad = !*v || *end || !(a->fps >= 1 && a->fps <= 240);
    if (k == 5) bad = sf_parse_int(v, 1, 100000000, &iv), a->max_frames = iv;
    if (k == 6) a->controller = v;
    if (bad) {
      static const char* expect[] = {"a non-negative episode id",
                                     "",
                                     "an integer from 16 to 4096",
                                     "an integer from 16 to 4096",
                                     "a number from 1 to 240",
                                     "a positive integer",
                                     ""};
      return sf_fail(e, SF_ERR_INPUT, "%s: expected %s, got '%s'", keys[k], expect[k], v);
    }
  }
  if (!a->store) return sf_fail(e, SF_ERR_INPUT, "expected a store path");
  if (a->episode < 0) return sf_fail(e, SF_ERR_INPUT, "--episode: expected an episode id");
  if (!a->window == !a->out) {
    return sf_fail(e, SF_ERR_INPUT, "expected either --out FILE.mp4|DIR or --window");
  }
  return SF_OK;
}

// suturefleet replay
static int sf_cli_replay(int argc, char** argv, FILE* out, FILE* err) {
  sfReplayArgs a;
  sfError e = {{0}};
  if (sf_cli_parse_replay(argc, argv, &a, &e) != SF_OK) {
    return sf_cli_usage_error(err, "replay", e.msg);
  }
  sftStatus st = sf_replay(&a, out, &e);
  if (st != SF_OK) fprintf(err, "suturefleet replay: %s\n", e.msg);
  return st;
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
  // the command, its help, or its run
  typedef int (*sfCommand)(int, char**, FILE*, FILE*);
  static const struct {
    const char* name;
    const char** usage;
    sfCommand run;
  } commands[] = {{"run", &kRunUsage, sf_cli_run},
                  {"eval", &kEvalUsage, sf_cli_eval},
                  {"info", &kInfoUsage, sf_cli_info},
                  {"bench", &kBenchUsage, sf_cli_bench},
                  {"controllers", &kControllersUsage, sf_cli_controllers},
                  {"learners", &kLearnersUsage, sf_cli_learners},
                  {"curves", &kCurvesUsage, sf_cli_curves},
                  {"replay", &kReplayUsage, sf_cli_replay},
                  {"study", &kStudyUsage, sf_cli_study}};
  for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
    if (strcmp(argv[1], commands[i].name)) continue;
    if (sf_cli_wants_help(argc - 2, argv + 2)) {
      fputs(*commands[i].usage, out);
      return SF_OK;
    }
    return commands[i].run(argc - 2, argv + 2, out, err);
  }
  fprintf(err,
          "suturefleet: unknown command '%s' (expected run, eval, info, bench, controllers, "
          "curves, replay or study)\n"
          "Try 'suturefleet --help'.\n",
          argv[1]);
  return SF_ERR_INPUT;
}
