// dist.h: a run's robots distributed over MPI ranks (hybrid MPI + OpenMP), or one process.
//
// Built with -DSUTUREFLEET_MPI=ON and started by mpirun, each rank simulates its share of each
// round's active robots with its own OpenMP threads: the robots are planned by predicted cost
// (sf_dist_plan: longest first, each to the least loaded rank), the same plan on every rank.
// After the round every
// rank receives every result (so all ranks compute the same knowledge update from the same
// numbers, in the same order) and rank 0, the only writer, receives the recorded trajectories
// and appends the round to the store exactly as a single process would. Nothing is summed
// across ranks, so the store is byte-for-byte the same for any rank count.
//
// Without MPI (or when not started by mpirun) there is one rank and every call is trivial.
// A rank that dies makes Open MPI end the whole job; the store holds every completed round.
#ifndef SUTUREFLEET_SIM_DIST_H_
#define SUTUREFLEET_SIM_DIST_H_

#include <mujoco/mujoco.h>

#include "episode.h"

// start MPI when built with it and started by mpirun (FUNNELED: only the main thread calls
// MPI); call once, first thing in main
void sf_dist_init(int* argc, char*** argv);

// finish MPI (if started)
void sf_dist_finalize(void);

// this process's rank and the number of ranks (0 and 1 without MPI)
int sf_dist_rank(void);
int sf_dist_size(void);

// a cost-aware plan for n items among size ranks: order (n) lists the items by predicted cost,
// largest first (ties: the higher item first), and owner[i] is the rank that runs item i, each
// item in that order going to the rank with the least predicted load so far (longest
// processing time first; ties: the lower rank). A pure function of its inputs, so every rank
// computes the same plan; results never depend on it
void sf_dist_plan(const double* cost, int n, int size, int* order, int* owner);

// every rank's results to every rank: res[i] is filled on rank owner[i] (of n)
void sf_dist_share_results(sfEpisodeResult* res, int n, const int* owner);

// the recorded trajectories of the round (traj_of[a] != NULL, the same on every rank) from the
// ranks that simulated them (owner[a]) to rank 0; m gives the array widths
void sf_dist_gather_trajs(sfTraj* const* traj_of, int n, const mjModel* m, const int* owner);

// the worst status over all ranks (this rank's own without MPI), returned on every rank; when
// another rank failed and this one did not, e gets the lowest failing rank's message
sftStatus sf_dist_agree(sftStatus status, sfError* e);

// wait until every rank is here
void sf_dist_barrier(void);

// v summed over all ranks, on every rank
double sf_dist_sum(double v);

#endif  // SUTUREFLEET_SIM_DIST_H_
