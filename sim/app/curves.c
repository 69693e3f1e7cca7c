// curves.c: learning curves per cohort group with confidence bands; CSV and gnuplot plots.
#include "curves.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define SF_CURVE_GROUPS 64  // most (cohort, join round) groups

static const char* kMetricName[SF_NMETRIC] = {"success", "time", "entry_err", "trauma", "closure"};
static const char* kMetricLabel[SF_NMETRIC] = {"success rate", "completion time (s)",
                                               "SRC entry error (mm)", "trauma (mm^2)",
                                               "wound closure (share of the gap)"};

int sf_metric_parse(const char* s) {
  for (int i = 0; i < SF_NMETRIC; i++) {
    if (!strcmp(s, kMetricName[i])) return i;
  }
  return -1;
}

const char* sf_metric_label(int metric) {
  return kMetricLabel[metric];
}

// the metric's value in an episode row (NaN: the episode has none)
static double sf_metric_value(const sfEpisodeRow* r, int metric) {
  switch (metric) {
    case SF_METRIC_SUCCESS:
      return r->success;
    case SF_METRIC_TIME:
      return r->time_s;
    case SF_METRIC_ENTRY:
      return r->entry_err_mm;
    case SF_METRIC_CLOSURE:
      return r->wound_closure;
    default:
      return r->trauma_mm2;
  }
}

double sf_t95(int dof) {
  static const double t[30] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306,
                               2.262,  2.228, 2.201, 2.179, 2.160, 2.145, 2.131, 2.120,
                               2.110,  2.101, 2.093, 2.086, 2.080, 2.074, 2.069, 2.064,
                               2.060,  2.056, 2.052, 2.048, 2.045, 2.042};
  if (dof <= 30) return t[dof - 1];
  return dof <= 60 ? 2.000 : dof <= 120 ? 1.980 : 1.960;
}

// sums of one (group, episode) cell
typedef struct sfCell_ {
  double sum, sumsq;  // of the samples
  int n;              // samples
  int robots;         // robots behind them (over all stores)
} sfCell;

void sf_wilson95(double k, double n, double* lo, double* hi) {
  double z = 1.959963984540054, p = k / n, z2 = z * z / n;
  double centre = (p + z2 / 2) / (1 + z2);
  double half = z * sqrt(p * (1 - p) / n + z2 / (4 * n)) / (1 + z2);
  *lo = centre - half, *hi = centre + half;
}

// mean and 95 % band of a cell's samples; a success rate from robots gets Wilson's interval
static void sf_cell_band(const sfCell* c, int wilson, double* mean, double* lo, double* hi) {
  double n = c->n, m = c->sum / n;
  *mean = m, *lo = m, *hi = m;
  if (wilson) {
    sf_wilson95(c->sum, n, lo, hi);
  } else if (c->n >= 2) {
    double var = fmax(0, (c->sumsq - n * m * m) / (n - 1));
    double half = sf_t95(c->n - 1) * sqrt(var / n);
    *lo = m - half, *hi = m + half;
  }
}

// index of group (cohort, join) in groups[0 .. *ng-1], added in order when new; -1 if full
static int sf_group(int groups[][2], int* ng, int cohort, int join) {
  for (int g = 0; g < *ng; g++) {
    if (groups[g][0] == cohort && groups[g][1] == join) return g;
  }
  if (*ng == SF_CURVE_GROUPS) return -1;
  groups[*ng][0] = cohort, groups[*ng][1] = join;
  return (*ng)++;
}

// the store's episodes into per-robot cells (robot's k-th episode -> cells[g * maxk + k])
static void sf_curves_store(const sfStoreData* d, int metric, int groups[][2], int* ng, int maxk,
                            sfCell* cells) {
  int nrobot = 0;
  for (long i = 0; i < d->nepisodes; i++) {
    if (d->episodes[i].robot + 1 > nrobot) nrobot = d->episodes[i].robot + 1;
  }
  int* count = SF_CALLOC((size_t)nrobot + 1, sizeof(int));
  for (long i = 0; i < d->nepisodes; i++) {
    const sfEpisodeRow* r = &d->episodes[i];
    SF_ASSERT(r->robot >= 0);  // sf_store_read refuses a robot outside /robots
    int k = count[r->robot]++, g = sf_group(groups, ng, r->cohort, r->join_round);
    double v = sf_metric_value(r, metric);
    if (g < 0 || k >= maxk || isnan(v)) continue;
    sfCell* c = &cells[(long)g * maxk + k];
    c->sum += v, c->sumsq += v * v, c->n++, c->robots++;
  }
  free(count);
}

// order groups by cohort, then join round (insertion sort; a handful of groups)
static void sf_group_order(int groups[][2], int ng, int* order) {
  for (int g = 0; g < ng; g++) order[g] = g;
  for (int i = 1; i < ng; i++) {
    for (int j = i; j > 0; j--) {
      const int* a = groups[order[j - 1]];
      const int* b = groups[order[j]];
      if (a[0] < b[0] || (a[0] == b[0] && a[1] <= b[1])) break;
      int t = order[j];
      order[j] = order[j - 1], order[j - 1] = t;
    }
  }
}

sftStatus sf_curves(const sfStoreData* stores, int nstore, int metric, sfCurvePoint** points,
                    int* n, sfError* e) {
  // the longest practice any robot had
  int maxk = 0;
  long total = 0;
  for (int s = 0; s < nstore; s++) {
    for (long i = 0; i < stores[s].nepisodes; i++) {
      if (stores[s].episodes[i].round + 1 > maxk) maxk = stores[s].episodes[i].round + 1;
    }
    total += stores[s].nepisodes;
  }
  if (!total) return sf_fail(e, SF_ERR_INPUT, "the store(s) hold no episodes");

  // per store: cells over robots; across stores: each store's cell mean is one sample
  int groups[SF_CURVE_GROUPS][2], ng = 0;
  size_t ncell = (size_t)SF_CURVE_GROUPS * (size_t)maxk;
  sfCell* one = SF_CALLOC(ncell, sizeof(sfCell));
  sfCell* all = SF_CALLOC(ncell, sizeof(sfCell));
  for (int s = 0; s < nstore; s++) {
    memset(one, 0, ncell * sizeof(sfCell));
    sf_curves_store(&stores[s], metric, groups, &ng, maxk, one);
    for (size_t c = 0; c < ncell; c++) {
      if (nstore == 1) {
        all[c] = one[c];
      } else if (one[c].n) {
        double m = one[c].sum / one[c].n;
        all[c].sum += m, all[c].sumsq += m * m, all[c].n++, all[c].robots += one[c].robots;
      }
    }
  }

  // points in group order
  int order[SF_CURVE_GROUPS];
  sf_group_order(groups, ng, order);
  *points = SF_CALLOC(ncell, sizeof(sfCurvePoint));
  *n = 0;
  for (int o = 0; o < ng; o++) {
    int g = order[o];
    for (int k = 0; k < maxk; k++) {
      const sfCell* c = &all[(long)g * maxk + k];
      if (!c->n) continue;
      sfCurvePoint* p = &(*points)[(*n)++];
      p->cohort = groups[g][0], p->join_round = groups[g][1], p->episode = k + 1;
      p->stores = nstore == 1 ? 1 : c->n;
      p->robots = c->robots;
      sf_cell_band(c, nstore == 1 && metric == SF_METRIC_SUCCESS, &p->mean, &p->lo, &p->hi);
    }
  }
  free(one);
  free(all);
  return SF_OK;
}

// a group's name: "fleet founders", "solo joined@12"
static void sf_group_name(const sfCurvePoint* p, char* out, size_t n) {
  const char* cohort = p->cohort ? "solo" : "fleet";
  if (p->join_round == 0)
    snprintf(out, n, "%s founders", cohort);
  else
    snprintf(out, n, "%s joined@%d", cohort, p->join_round);
}

void sf_curves_csv(FILE* f, int metric, const sfCurvePoint* p, int n) {
  fprintf(f, "cohort,group,join_round,metric,episode,stores,robots,mean,ci_lo,ci_hi\n");
  for (int i = 0; i < n; i++) {
    char group[64];
    sf_group_name(&p[i], group, sizeof(group));
    fprintf(f, "%s,%s,%d,%s,%d,%d,%d,%.10g,%.10g,%.10g\n", p[i].cohort ? "solo" : "fleet", group,
            p[i].join_round, kMetricName[metric], p[i].episode, p[i].stores, p[i].robots, p[i].mean,
            p[i].lo, p[i].hi);
  }
}

// gnuplot data: one block (two blank lines apart) per group: episode mean lo hi; returns the
// number of groups and each group's first point in first[]
static int sf_plot_data(FILE* f, const sfCurvePoint* p, int n, int* first) {
  int ng = 0;
  for (int i = 0; i < n; i++) {
    int start = i == 0 || p[i].cohort != p[i - 1].cohort || p[i].join_round != p[i - 1].join_round;
    if (start) {
      if (ng) fputs("\n\n", f);
      first[ng++] = i;
    }
    fprintf(f, "%d %.10g %.10g %.10g\n", p[i].episode, p[i].mean, p[i].lo, p[i].hi);
  }
  return ng;
}

// the numeric rows (repetition, value) of a literature CSV appended to f as one more block;
// returns the rows written
static int sf_lit_data(FILE* f, const char* lit) {
  FILE* in = fopen(lit, "r");
  char line[1024];
  int rows = 0;
  fputs("\n\n", f);
  while (in && fgets(line, sizeof(line), in)) {
    char* end;
    double x = strtod(line, &end);
    if (line[0] == '#' || end == line || *end != ',') continue;
    double y = strtod(end + 1, NULL);
    fprintf(f, "%.10g %.10g\n", x, y);
    rows++;
  }
  if (in) fclose(in);
  return rows;
}

// the label line ("# label: ...") of a literature CSV, without quotes, into out
static void sf_lit_citation(const char* lit, char* out, size_t n) {
  snprintf(out, n, "literature");
  FILE* f = fopen(lit, "r");
  char line[1024];
  while (f && fgets(line, sizeof(line), f)) {
    if (strncmp(line, "# label:", 8)) continue;
    char* s = line + 8;
    while (*s == ' ') s++;
    s[strcspn(s, "\r\n")] = 0;
    for (char* q = s; *q; q++) {
      if (*q == '\'' || *q == '"') *q = ' ';
    }
    snprintf(out, n, "%.200s", s);
  }
  if (f) fclose(f);
}

// the gnuplot script for the plot into g
static void sf_plot_script(FILE* g, const char* path, int svg, int metric, const char* data,
                           const sfCurvePoint* p, const int* first, int ng, const char* lit,
                           const char* title) {
  static const char* colour[2][4] = {{"#1f77b4", "#17becf", "#2ca02c", "#98df8a"},
                                     {"#d62728", "#ff7f0e", "#9467bd", "#e377c2"}};
  fprintf(g, "set terminal %s size 960,600 font 'sans,12'\n", svg ? "svg dynamic" : "pngcairo");
  fprintf(g, "set termoption noenhanced\nset output '%s'\n", path);
  fprintf(g, "set title '%.300s'\nset xlabel 'practice episodes per robot'\nset ylabel '%s'\n",
          title, kMetricLabel[metric]);
  fprintf(g, "set grid\nset key below\nset xrange [0.5:*]\n");
  if (lit) {
    fprintf(g,
            "set ytics nomirror\nset y2tics\nset y2range [0:*]\n"
            "set y2label 'human trainees, literature (s)'\n");
  }
  if (metric == SF_METRIC_SUCCESS || metric == SF_METRIC_CLOSURE)
    fprintf(g, "set yrange [-0.02:1.02]\n");
  fprintf(g, "set style fill transparent solid 0.18 noborder\nplot ");
  int seen[2] = {0, 0};
  for (int i = 0; i < ng; i++) {
    const sfCurvePoint* q = &p[first[i]];
    const char* c = colour[q->cohort][seen[q->cohort]++ % 4];
    char name[64];
    sf_group_name(q, name, sizeof(name));
    fprintf(g,
            "%s'%s' index %d using 1:3:4 with filledcurves lc rgb '%s' notitle, "
            "'%s' index %d using 1:2 with linespoints lw 2 pt 7 ps 0.5 lc rgb '%s' "
            "title '%s (%d robots)'",
            i ? ", " : "", data, i, c, data, i, c, name, q->robots);
  }
  if (lit) {
    char cite[512];
    sf_lit_citation(lit, cite, sizeof(cite));
    fprintf(g,
            ", '%s' index %d using 1:2 axes x1y2 with linespoints lw 2 dt 2 pt 5 ps 0.8 "
            "lc rgb 'black' title 'literature: %s (right axis)'",
            data, ng, cite);
  }
  fputs("\n", g);
}

sftStatus sf_gnuplot(const char* path, void (*data)(FILE* f, void* user),
                     void (*script)(FILE* g, const char* path, int svg, const char* data,
                                    void* user),
                     void* user, sfError* e) {
  // the data into a temporary file
  size_t len = strlen(path);
  int svg = len > 4 && !strcmp(path + len - 4, ".svg");
  char tmp[] = "/tmp/suturefleet-plot-XXXXXX";
  int fd = mkstemp(tmp);
  FILE* f = fd >= 0 ? fdopen(fd, "w") : NULL;
  if (!f) {
    if (fd >= 0) close(fd), unlink(tmp);
    return sf_fail(e, SF_ERR_RUN, "cannot create a temporary file in /tmp");
  }
  data(f, user);
  fclose(f);

  // the script through a gnuplot pipe
  FILE* g = popen("gnuplot 2>&1", "w");
  if (!g) {
    unlink(tmp);
    return sf_fail(e, SF_ERR_RUN, "cannot start gnuplot (%s)", strerror(errno));
  }
  script(g, path, svg, tmp, user);
  int rc = pclose(g);
  unlink(tmp);
  if (rc == -1 || !WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
    int code = rc != -1 && WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
    return sf_fail(e, SF_ERR_RUN, "gnuplot failed (exit %d%s) drawing '%s'", code,
                   code == 127 ? ": not installed? apt-get install gnuplot-nox" : "", path);
  }
  return SF_OK;
}

// what sf_curves_plot hands to its data and script writers
typedef struct sfCurvesPlot_ {
  int metric;
  const sfCurvePoint* p;
  int n;
  const char* lit;
  const char* title;
  int first[SF_CURVE_GROUPS * 2];
  int ng;
} sfCurvesPlot;

static void sf_curves_plot_data(FILE* f, void* user) {
  sfCurvesPlot* cp = user;
  cp->ng = sf_plot_data(f, cp->p, cp->n, cp->first);
  if (cp->lit && sf_lit_data(f, cp->lit) == 0) cp->lit = NULL;
}

static void sf_curves_plot_script(FILE* g, const char* path, int svg, const char* data,
                                  void* user) {
  sfCurvesPlot* cp = user;
  sf_plot_script(g, path, svg, cp->metric, data, cp->p, cp->first, cp->ng, cp->lit, cp->title);
}

sftStatus sf_curves_plot(const char* path, int metric, const sfCurvePoint* p, int n,
                         const char* lit, const char* title, sfError* e) {
  size_t len = strlen(path);
  int svg = len > 4 && !strcmp(path + len - 4, ".svg");
  if (!svg && !(len > 4 && !strcmp(path + len - 4, ".png"))) {
    return sf_fail(e, SF_ERR_INPUT, "--plot '%s': expected a file name ending in .png or .svg",
                   path);
  }
  if (!sf_path_plain(path)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--plot '%s': expected a file name without quotes or control "
                   "characters",
                   path);
  }
  if (!sf_path_writable(path)) {
    return sf_fail(e, SF_ERR_INPUT,
                   "--plot '%s': cannot write it (no such directory or no "
                   "permission)",
                   path);
  }

  // the data, then the script through a gnuplot pipe
  sfCurvesPlot cp = {metric, p, n, lit, title, {0}, 0};
  return sf_gnuplot(path, sf_curves_plot_data, sf_curves_plot_script, &cp, e);
}
