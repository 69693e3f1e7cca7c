// elite.c: elitist CEM over the pool's archive of episodes.
#include "elite.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "cmaes.h"
#include "order.h"
#include "status.h"

#define SF_EL_N SFL_MAX_VALUES

// a pool's state
typedef struct sfElite_ {
  int n;                        // values learned
  double range[SF_EL_N];        // each value's range (hi - lo)
  double scale[SF_EL_N];        // each value's prior SD (the unit of distances)
  double m[SF_EL_N];            // sampling mean
  double B[SF_EL_N * SF_EL_N];  // sampling covariance's eigenvectors (columns)
  double D[SF_EL_N];            //   and the square roots of its eigenvalues
  double sd[SF_EL_N];           // marginal SD per value
  double* x;                    // the archive: values (n each), in arrival order
  double* score;                //   scores
  double* ok;                   //   and successes (1 or 0)
  long nrec, cap;               //   held, room
} sfElite;

static void* sf_elite_create(const sflSkill* skill) {
  sfElite* c = SF_CALLOC(1, sizeof(sfElite));
  int n = c->n = skill->n;
  for (int i = 0; i < n; i++) {
    c->range[i] = skill->hi[i] - skill->lo[i];
    c->scale[i] = skill->prior_sd[i];
    c->m[i] = skill->mean[i];
    c->sd[i] = c->D[i] = skill->sd[i];
    c->B[i * n + i] = 1;
  }
  return c;
}

static void sf_elite_sample(const void* state, const double* z, double* x) {
  const sfElite* c = state;
  int n = c->n;
  for (int i = 0; i < n; i++) {
    double y = 0;
    for (int j = 0; j < n; j++) y += c->B[i * n + j] * c->D[j] * z[j];
    x[i] = c->m[i] + y;
  }
}

// keep the archive's best `keep` episodes in arrival order (rank: the archive ranked)
static void sf_elite_prune(sfElite* c, const int* rank, long keep) {
  if (c->nrec <= keep) return;
  char* kept = SF_CALLOC(c->nrec, 1);
  for (long k = 0; k < keep; k++) kept[rank[k]] = 1;
  long w = 0;
  for (long r = 0; r < c->nrec; r++) {
    if (!kept[r]) continue;
    memmove(c->x + w * c->n, c->x + r * c->n, (size_t)c->n * sizeof(double));
    c->ok[w] = c->ok[r];
    c->score[w++] = c->score[r];
  }
  c->nrec = w;
  free(kept);
}

// each archive episode's smoothed score: the mean score of its SF_ELITE_NEIGHBOURS nearest
// archive episodes (itself included; distances in prior SDs), an estimate of the expected score
// there that a lucky episode alone does not carry
static void sf_elite_smooth(const sfElite* c, double* out) {
  int n = c->n, kn = SF_ELITE_NEIGHBOURS;
  long N = c->nrec;
  for (long r = 0; r < N; r++) {
    // the kn nearest so far, nearest first (ties: the earlier episode first)
    double best_d[SF_ELITE_NEIGHBOURS];
    long best[SF_ELITE_NEIGHBOURS];
    int m = 0;
    for (long q = 0; q < N; q++) {
      double s2 = 0;
      for (int i = 0; i < n; i++) {
        double t = (c->x[r * n + i] - c->x[q * n + i]) / c->scale[i];
        s2 += t * t;
      }
      if (m == kn && s2 >= best_d[kn - 1]) continue;
      int at = m < kn ? m++ : kn - 1;
      while (at > 0 && best_d[at - 1] > s2) {
        best_d[at] = best_d[at - 1], best[at] = best[at - 1];
        at--;
      }
      best_d[at] = s2, best[at] = q;
    }
    double sum = 0;
    for (int k = 0; k < m; k++) sum += c->score[best[k]];
    out[r] = sum / m;
  }
}

static void sf_elite_update(void* state, const sflEpisode* ep, int count, long pooled) {
  (void)pooled;
  sfElite* c = state;
  int n = c->n;

  // the round's episodes join the archive
  if (c->nrec + count > c->cap) {
    c->cap = 2 * (c->nrec + count);
    c->x = SF_REALLOC(c->x, (size_t)c->cap * (size_t)n, sizeof(double));
    c->score = SF_REALLOC(c->score, c->cap, sizeof(double));
    c->ok = SF_REALLOC(c->ok, c->cap, sizeof(double));
  }
  for (int k = 0; k < count; k++, c->nrec++) {
    memcpy(c->x + c->nrec * n, ep[k].x, (size_t)n * sizeof(double));
    c->score[c->nrec] = ep[k].score;
    c->ok[c->nrec] = ep[k].success != 0;
  }

  // the K best of the archive, with recombination weights
  long K = (long)ceil(SF_ELITE_SHARE * count);
  if (K < SF_ELITE_MIN) K = SF_ELITE_MIN;
  if (K > c->nrec) K = c->nrec;
  int* rank = SF_CALLOC(c->nrec, sizeof(int));
  double* smooth = SF_CALLOC(c->nrec, sizeof(double));
  sf_elite_smooth(c, smooth);
  long ns = 0;
  for (long r = 0; r < c->nrec; r++) ns += c->ok[r] > 0;
  long keep_k = K;
  if (ns > 0 && ns < K) {  // successes only, once there are any: the others rank last
    K = ns;
    for (long r = 0; r < c->nrec; r++) smooth[r] += c->ok[r] > 0 ? 0 : -1e9;
  }
  sf_order_desc(smooth, (int)c->nrec, rank);
  free(smooth);
  double* w = SF_CALLOC(K, sizeof(double));
  double wsum = 0;
  for (long k = 0; k < K; k++) w[k] = log(K + 0.5) - log(k + 1.0), wsum += w[k];
  for (long k = 0; k < K; k++) w[k] /= wsum;

  // their weighted mean, and their weighted covariance about the previous mean (so the search
  // stretches along the way the mean moved), blended in at a rate that grows with the elites'
  // effective number: a few elites move the distribution a little, many a lot
  double m[SF_EL_N] = {0}, Ce[SF_EL_N * SF_EL_N] = {0}, w2 = 0;
  for (long k = 0; k < K; k++) {
    const double* xk = c->x + (long)rank[k] * n;
    for (int i = 0; i < n; i++) m[i] += w[k] * xk[i];
    w2 += w[k] * w[k];
  }
  for (long k = 0; k < K; k++) {
    const double* xk = c->x + (long)rank[k] * n;
    for (int i = 0; i < n; i++) {
      for (int j = i; j < n; j++) Ce[i * n + j] += w[k] * (xk[i] - c->m[i]) * (xk[j] - c->m[j]);
    }
  }
  double mueff = 1 / w2, rate = mueff / (mueff + SF_ELITE_PRIOR_WEIGHT * n);
  double C[SF_EL_N * SF_EL_N];
  for (int i = 0; i < n; i++) {
    for (int j = i; j < n; j++) {
      double old = 0;  // the previous covariance, B D^2 B^T
      for (int k = 0; k < n; k++) old += c->B[i * n + k] * c->D[k] * c->D[k] * c->B[j * n + k];
      C[i * n + j] = C[j * n + i] = (1 - rate) * old + rate * Ce[i * n + j];
    }
  }

  // the new distribution, its spread floored
  double ev[SF_EL_N];
  sf_cma_eigen(C, n, ev, c->B);
  double floor_sd = INFINITY;
  for (int i = 0; i < n; i++) floor_sd = fmin(floor_sd, SF_ELITE_MIN_SD * c->range[i]);
  for (int i = 0; i < n; i++) c->D[i] = fmax(sqrt(fmax(ev[i], 0)), floor_sd);
  for (int i = 0; i < n; i++) {
    c->m[i] = (1 - rate) * c->m[i] + rate * m[i];
    double v = 0;
    for (int j = 0; j < n; j++) v += c->B[i * n + j] * c->B[i * n + j] * c->D[j] * c->D[j];
    c->sd[i] = sqrt(v);
  }

  // a bounded archive
  long keep =
      SF_ELITE_KEEP * keep_k > SF_ELITE_KEEP_MIN ? SF_ELITE_KEEP * keep_k : SF_ELITE_KEEP_MIN;
  sf_elite_prune(c, rank, keep);
  free(rank);
  free(w);
}

static void sf_elite_describe(const void* state, double* mean, double* sd) {
  const sfElite* c = state;
  memcpy(mean, c->m, (size_t)c->n * sizeof(double));
  memcpy(sd, c->sd, (size_t)c->n * sizeof(double));
}

static void sf_elite_destroy(void* state) {
  sfElite* c = state;
  if (!c) return;
  free(c->x);
  free(c->score);
  free(c->ok);
  free(c);
}

const sflLearner* sf_learner_elite(void) {
  static const sflLearner t = {
      .abi_version = SFL_ABI_VERSION,
      .size = sizeof(sflLearner),
      .name = "elite",
      .description =
          "elitist CEM: the weighted mean and covariance of the best episodes of every "
          "round so far",
      .create = sf_elite_create,
      .sample = sf_elite_sample,
      .update = sf_elite_update,
      .describe = sf_elite_describe,
      .destroy = sf_elite_destroy,
  };
  return &t;
}
