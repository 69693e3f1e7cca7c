// dist.c: MPI distribution of a run's robots (or one process when built without MPI).
#include "dist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"

#ifdef SF_MPI
#include <mpi.h>
#endif

// one tag for every trajectory message: MPI keeps the order of messages from one sender, and
// rank 0 receives them in the order they are sent (robot order)
#define SF_TRAJ_TAG 7

static int sf_rank = 0, sf_size = 1, sf_mpi = 0;

void sf_dist_plan(const double* cost, int n, int size, int* order, int* owner) {
  sf_order_desc(cost, n, order);

  // each item to the least loaded rank
  double* load = SF_CALLOC(size, sizeof(double));
  for (int k = 0; k < n; k++) {
    int best = 0;
    for (int r = 1; r < size; r++) {
      if (load[r] < load[best]) best = r;
    }
    owner[order[k]] = best;
    load[best] += cost[order[k]];
  }
  free(load);
}

int sf_dist_rank(void) {
  return sf_rank;
}

int sf_dist_size(void) {
  return sf_size;
}

#ifdef SF_MPI

// started by a launcher (Open MPI's mpirun, or a PMI/PMIx one such as Slurm's srun)
static int sf_dist_launched(void) {
  const char* vars[] = {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_SIZE"};
  for (int i = 0; i < 3; i++) {
    if (getenv(vars[i])) return 1;
  }
  return 0;
}

void sf_dist_init(int* argc, char*** argv) {
  if (!sf_dist_launched()) return;
  int provided = 0;
  MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided);
  MPI_Comm_rank(MPI_COMM_WORLD, &sf_rank);
  MPI_Comm_size(MPI_COMM_WORLD, &sf_size);
  sf_mpi = 1;
  if (provided < MPI_THREAD_FUNNELED && sf_rank == 0) {
    fprintf(stderr,
            "suturefleet: warning: this MPI does not support OpenMP threads beside it "
            "(thread level %d); run with --threads 1\n",
            provided);
  }
}

void sf_dist_finalize(void) {
  if (sf_mpi) MPI_Finalize();
  sf_mpi = 0;
}

void sf_dist_share_results(sfEpisodeResult* res, int n, const int* owner) {
  if (sf_size == 1) return;
  // each rank's results packed in item order, gathered everywhere, then put back in place;
  // counted in results (one MPI type per result), not bytes: no int overflow
  int* counts = SF_CALLOC(sf_size, sizeof(int));
  int* displs = SF_CALLOC(sf_size, sizeof(int));
  int* at = SF_CALLOC(sf_size, sizeof(int));
  for (int i = 0; i < n; i++) counts[owner[i]]++;
  for (int r = 1; r < sf_size; r++) displs[r] = displs[r - 1] + counts[r - 1];
  sfEpisodeResult* packed = SF_CALLOC(n > 0 ? n : 1, sizeof(sfEpisodeResult));
  for (int i = 0; i < n; i++) {
    if (owner[i] == sf_rank) packed[displs[sf_rank] + at[sf_rank]++] = res[i];
  }
  MPI_Datatype one;
  MPI_Type_contiguous((int)sizeof(sfEpisodeResult), MPI_BYTE, &one);
  MPI_Type_commit(&one);
  MPI_Allgatherv(MPI_IN_PLACE, 0, MPI_DATATYPE_NULL, packed, counts, displs, one, MPI_COMM_WORLD);
  MPI_Type_free(&one);
  memset(at, 0, sizeof(int) * (size_t)sf_size);
  for (int i = 0; i < n; i++) res[i] = packed[displs[owner[i]] + at[owner[i]]++];
  free(packed);
  free(at);
  free(counts);
  free(displs);
}

// the arrays of a trajectory and their widths
#define SF_TRAJ_NARRAY 11
static int sf_traj_arrays(const sfTraj* t, const mjModel* m, double** a, int* w) {
  double* arrays[SF_TRAJ_NARRAY] = {t->actions,        t->joint_pos,   t->tcp_pos,    t->tcp_quat,
                                    t->needle_pos,     t->needle_quat, t->needle_tip, t->states,
                                    t->thread_tension, t->thread_path, t->wound_gap};
  int widths[SF_TRAJ_NARRAY] = {
      m->nu, SF_NAXIS, 3, 4, 3, 4, 3, t->nstate, 1, 3 * SF_THREAD_PTS, SF_WOUND_GAP_N};
  memcpy(a, arrays, sizeof(arrays));
  memcpy(w, widths, sizeof(widths));
  return SF_TRAJ_NARRAY;
}

void sf_dist_gather_trajs(sfTraj* const* traj_of, int n, const mjModel* m, const int* owners) {
  if (sf_size == 1) return;
  for (int a = 0; a < n; a++) {
    sfTraj* t = traj_of[a];
    int owner = owners[a];
    if (!t || owner == 0 || (sf_rank != 0 && sf_rank != owner)) continue;

    // the sample count, then each array's first n rows, then who held the needle
    double* arrays[SF_TRAJ_NARRAY];
    int widths[SF_TRAJ_NARRAY], k = sf_traj_arrays(t, m, arrays, widths);
    if (sf_rank == owner) {
      MPI_Send(&t->n, 1, MPI_INT, 0, SF_TRAJ_TAG, MPI_COMM_WORLD);
      for (int i = 0; i < k; i++) {
        MPI_Send(arrays[i], t->n * widths[i], MPI_DOUBLE, 0, SF_TRAJ_TAG, MPI_COMM_WORLD);
      }
      MPI_Send(t->holder, t->n, MPI_INT8_T, 0, SF_TRAJ_TAG, MPI_COMM_WORLD);
    } else {
      MPI_Recv(&t->n, 1, MPI_INT, owner, SF_TRAJ_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      for (int i = 0; i < k; i++) {
        MPI_Recv(arrays[i], t->n * widths[i], MPI_DOUBLE, owner, SF_TRAJ_TAG, MPI_COMM_WORLD,
                 MPI_STATUS_IGNORE);
      }
      MPI_Recv(t->holder, t->n, MPI_INT8_T, owner, SF_TRAJ_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    }
  }
}

sftStatus sf_dist_agree(sftStatus status, sfError* e) {
  if (sf_size == 1) return status;
  int mine = (int)status, worst = mine;
  MPI_Allreduce(&mine, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
  if (worst == SF_OK) return SF_OK;

  // the lowest failing rank's message, to every rank that did not fail itself
  int cand = status != SF_OK ? sf_rank : sf_size, first = 0;
  MPI_Allreduce(&cand, &first, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
  char msg[sizeof(e->msg)];
  memset(msg, 0, sizeof(msg));
  if (sf_rank == first) snprintf(msg, sizeof(msg), "%s", e->msg);
  MPI_Bcast(msg, (int)sizeof(msg), MPI_CHAR, first, MPI_COMM_WORLD);
  if (status == SF_OK) sf_fail(e, (sftStatus)worst, "MPI rank %d: %.900s", first, msg);
  return (sftStatus)worst;
}

void sf_dist_barrier(void) {
  if (sf_size > 1) MPI_Barrier(MPI_COMM_WORLD);
}

double sf_dist_sum(double v) {
  double total = v;
  if (sf_size > 1) MPI_Allreduce(&v, &total, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return total;
}

#else  // one process

void sf_dist_barrier(void) {}

double sf_dist_sum(double v) {
  return v;
}

void sf_dist_init(int* argc, char*** argv) {
  (void)argc, (void)argv, (void)sf_mpi;
}

void sf_dist_finalize(void) {}

void sf_dist_share_results(sfEpisodeResult* res, int n, const int* owner) {
  (void)res, (void)n, (void)owner;
}

void sf_dist_gather_trajs(sfTraj* const* traj_of, int n, const mjModel* m, const int* owner) {
  (void)traj_of, (void)n, (void)m, (void)owner;
}

sftStatus sf_dist_agree(sftStatus status, sfError* e) {
  (void)e;
  return status;
}

#endif
