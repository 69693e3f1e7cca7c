// cmaes.c: CMA-ES over a pool's episodes, generation by generation.
#include "cmaes.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"
#include "status.h"

#define SF_CMA_N SFL_MAX_VALUES

// a pool's CMA-ES state (coordinates in prior SDs)
typedef struct sfCma_ {
  int n;                          // values learned
  double scale[SF_CMA_N];         // each value's prior SD: x = u * scale
  double m[SF_CMA_N];             // mean (u)
  double sigma;                   // step size
  double C[SF_CMA_N * SF_CMA_N];  // covariance (row-major)
  double B[SF_CMA_N * SF_CMA_N];  // its eigenvectors (columns)
  double D[SF_CMA_N];             //   and the square roots of its eigenvalues
  double pc[SF_CMA_N];            // evolution path of C
  double ps[SF_CMA_N];            // evolution path of sigma
  long gen;                       // generations so far
  int lambda_min;                 // episodes a generation needs at least
  double* u;                      // the generation's episodes so far: values (u, n each)
  double* score;                  //   and scores
  int nbuf, cap;                  //   held, room
} sfCma;

void sf_cma_eigen(const double* a, int n, double* w, double* v) {
  double A[SF_CMA_N * SF_CMA_N];
  memcpy(A, a, sizeof(double) * (size_t)(n * n));
  for (int i = 0; i < n; i++) {
    for (int j = 0; j < n; j++) v[i * n + j] = i == j;
  }

  // sweeps of rotations (p, q) in a fixed order until the off-diagonal part vanishes
  for (int sweep = 0; sweep < 64; sweep++) {
    double off = 0, diag = 0;
    for (int i = 0; i < n; i++) {
      diag += A[i * n + i] * A[i * n + i];
      for (int j = i + 1; j < n; j++) off += A[i * n + j] * A[i * n + j];
    }
    if (off <= 1e-30 * diag || off == 0) break;
    for (int p = 0; p < n; p++) {
      for (int q = p + 1; q < n; q++) {
        double apq = A[p * n + q];
        if (apq == 0) continue;

        // the rotation that zeroes A[p][q] (Golub & Van Loan, algorithm 8.4.1)
        double tau = (A[q * n + q] - A[p * n + p]) / (2 * apq);
        double t = (tau >= 0 ? 1 : -1) / (fabs(tau) + sqrt(1 + tau * tau));
        double c = 1 / sqrt(1 + t * t), s = t * c;
        for (int k = 0; k < n; k++) {  // A <- A J
          double akp = A[k * n + p], akq = A[k * n + q];
          A[k * n + p] = c * akp - s * akq, A[k * n + q] = s * akp + c * akq;
        }
        for (int k = 0; k < n; k++) {  // A <- J^T A
          double apk = A[p * n + k], aqk = A[q * n + k];
          A[p * n + k] = c * apk - s * aqk, A[q * n + k] = s * apk + c * aqk;
        }
        for (int k = 0; k < n; k++) {  // V <- V J
          double vkp = v[k * n + p], vkq = v[k * n + q];
          v[k * n + p] = c * vkp - s * vkq, v[k * n + q] = s * vkp + c * vkq;
        }
      }
    }
  }
  for (int i = 0; i < n; i++) w[i] = A[i * n + i];
}

// B and D from C (eigenvalues floored so D stays positive)
static void sf_cma_decompose(sfCma* c) {
  int n = c->n;
  for (int i = 0; i < n; i++) {  // exactly symmetric
    for (int j = i + 1; j < n; j++) c->C[j * n + i] = c->C[i * n + j];
  }
  double w[SF_CMA_N];
  sf_cma_eigen(c->C, n, w, c->B);
  for (int i = 0; i < n; i++) c->D[i] = sqrt(fmax(w[i], 1e-20));
}

static void* sf_cma_create(const sflSkill* skill) {
  sfCma* c = SF_CALLOC(1, sizeof(sfCma));
  int n = c->n = skill->n;
  for (int i = 0; i < n; i++) {
    c->scale[i] = skill->prior_sd[i];
    c->m[i] = skill->mean[i] / c->scale[i];
    double r = skill->sd[i] / c->scale[i];
    c->C[i * n + i] = r * r;
  }
  c->sigma = 1;
  c->lambda_min = 4 + (int)floor(3 * log((double)n));
  sf_cma_decompose(c);
  return c;
}

static void sf_cma_sample(const void* state, const double* z, double* x) {
  const sfCma* c = state;
  int n = c->n;
  for (int i = 0; i < n; i++) {
    double y = 0;
    for (int j = 0; j < n; j++) y += c->B[i * n + j] * c->D[j] * z[j];
    x[i] = (c->m[i] + c->sigma * y) * c->scale[i];
  }
}

// one generation from the buffered episodes
static void sf_cma_generation(sfCma* c) {
  int n = c->n, lambda = c->nbuf, mu = lambda / 2;

  // recombination weights of the better half, and the default constants for this lambda
  double* w = SF_CALLOC(mu, sizeof(double));
  double wsum = 0, w2 = 0;
  for (int i = 0; i < mu; i++) w[i] = log((lambda + 1) / 2.0) - log(i + 1.0), wsum += w[i];
  for (int i = 0; i < mu; i++) w[i] /= wsum, w2 += w[i] * w[i];
  double mueff = 1 / w2, dn = n;
  double cs = (mueff + 2) / (dn + mueff + 5);
  double ds = 1 + 2 * fmax(0, sqrt((mueff - 1) / (dn + 1)) - 1) + cs;
  double cc = (4 + mueff / dn) / (dn + 4 + 2 * mueff / dn);
  double c1 = 2 / ((dn + 1.3) * (dn + 1.3) + mueff);
  double cmu = fmin(1 - c1, 2 * (mueff - 2 + 1 / mueff) / ((dn + 2) * (dn + 2) + mueff));
  double chin = sqrt(dn) * (1 - 1 / (4 * dn) + 1 / (21 * dn * dn));

  // the episodes ranked, and their steps y = (u - m) / sigma
  int* rank = SF_CALLOC(lambda, sizeof(int));
  sf_order_desc(c->score, lambda, rank);
  double *y = SF_CALLOC((size_t)mu * (size_t)n, sizeof(double)), yw[SF_CMA_N] = {0};
  for (int k = 0; k < mu; k++) {
    for (int i = 0; i < n; i++) {
      y[k * n + i] = (c->u[rank[k] * n + i] - c->m[i]) / c->sigma;
      yw[i] += w[k] * y[k * n + i];
    }
  }
  free(rank);

  // the mean, and C^(-1/2) yw = B D^-1 B^T yw
  double t[SF_CMA_N], cy[SF_CMA_N];
  for (int i = 0; i < n; i++) c->m[i] += c->sigma * yw[i];
  for (int j = 0; j < n; j++) {
    t[j] = 0;
    for (int i = 0; i < n; i++) t[j] += c->B[i * n + j] * yw[i];
    t[j] /= c->D[j];
  }
  for (int i = 0; i < n; i++) {
    cy[i] = 0;
    for (int j = 0; j < n; j++) cy[i] += c->B[i * n + j] * t[j];
  }

  // evolution paths
  double norm = 0;
  for (int i = 0; i < n; i++) {
    c->ps[i] = (1 - cs) * c->ps[i] + sqrt(cs * (2 - cs) * mueff) * cy[i];
    norm += c->ps[i] * c->ps[i];
  }
  norm = sqrt(norm);
  c->gen++;
  double hsig = norm / sqrt(1 - pow(1 - cs, 2.0 * (double)c->gen)) < (1.4 + 2 / (dn + 1)) * chin;
  for (int i = 0; i < n; i++) {
    c->pc[i] = (1 - cc) * c->pc[i] + hsig * sqrt(cc * (2 - cc) * mueff) * yw[i];
  }

  // covariance: rank-one and rank-mu updates
  double keep = 1 - c1 - cmu + (1 - hsig) * c1 * cc * (2 - cc);
  for (int i = 0; i < n; i++) {
    for (int j = i; j < n; j++) {
      double rmu = 0;
      for (int k = 0; k < mu; k++) rmu += w[k] * y[k * n + i] * y[k * n + j];
      c->C[i * n + j] = keep * c->C[i * n + j] + c1 * c->pc[i] * c->pc[j] + cmu * rmu;
    }
  }
  sf_cma_decompose(c);
  free(w);
  free(y);

  // step size
  c->sigma *= exp(cs / ds * (norm / chin - 1));
  c->sigma = fmin(c->sigma, SF_CMA_SIGMA_MAX);
  c->nbuf = 0;
}

static void sf_cma_update(void* state, const sflEpisode* ep, int count, long pooled) {
  (void)pooled;
  sfCma* c = state;
  int n = c->n;

  // buffer the round's episodes (they come from the distribution of this generation)
  if (c->nbuf + count > c->cap) {
    c->cap = 2 * (c->nbuf + count);
    c->u = SF_REALLOC(c->u, (size_t)c->cap * (size_t)n, sizeof(double));
    c->score = SF_REALLOC(c->score, c->cap, sizeof(double));
  }
  for (int k = 0; k < count; k++, c->nbuf++) {
    for (int i = 0; i < n; i++) c->u[c->nbuf * n + i] = ep[k].x[i] / c->scale[i];
    c->score[c->nbuf] = ep[k].score;
  }

  // a generation once there are enough
  if (c->nbuf >= c->lambda_min) sf_cma_generation(c);
}

static void sf_cma_describe(const void* state, double* mean, double* sd) {
  const sfCma* c = state;
  for (int i = 0; i < c->n; i++) {
    mean[i] = c->m[i] * c->scale[i];
    sd[i] = c->sigma * sqrt(c->C[i * c->n + i]) * c->scale[i];
  }
}

static void sf_cma_destroy(void* state) {
  sfCma* c = state;
  if (!c) return;
  free(c->u);
  free(c->score);
  free(c);
}

const sflLearner* sf_learner_cmaes(void) {
  static const sflLearner t = {
      .abi_version = SFL_ABI_VERSION,
      .size = sizeof(sflLearner),
      .name = "cmaes",
      .description =
          "CMA-ES (Hansen 2016) with the round's episodes as its population, "
          "covariance and step-size adaptation",
      .create = sf_cma_create,
      .sample = sf_cma_sample,
      .update = sf_cma_update,
      .describe = sf_cma_describe,
      .destroy = sf_cma_destroy,
  };
  return &t;
}
