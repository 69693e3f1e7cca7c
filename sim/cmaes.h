// cmaes.h: the built-in learner 'cmaes': the covariance matrix adaptation evolution strategy
// (CMA-ES; Hansen & Ostermeier 2001; the default parameters and update equations of Hansen,
// "The CMA Evolution Strategy: A Tutorial", arXiv:1604.00772, 2016) with a round's episodes as
// its population.
//
// The search runs in units of each value's prior SD (x_i / prior_sd_i), so the prior is the unit
// sphere. A generation is the pool's episodes since the last one, as soon as there are at least
// lambda_min = 4 + floor(3 ln n) of them (n values learned): a fleet of 16 makes one generation
// a round from its 16 episodes (all of them: a fleet of 4096 one of 4096), a solo robot one every
// 8 rounds. Each generation: the episodes ranked by score (ties: the later first); the mean moves
// to the weighted mean of the better half (weights ln((lambda + 1) / 2) - ln i); the evolution
// paths p_sigma and p_c, the rank-one and rank-mu covariance updates and cumulative step-size
// adaptation with the tutorial's default constants for that lambda. The values used are those
// the episodes ran with (after the host clipped them to the bounds). The state is a pure
// function of the episodes in order: no random state of its own (the host's draws z map to
// x = m + sigma B D z).
#ifndef SUTUREFLEET_SIM_CMAES_H_
#define SUTUREFLEET_SIM_CMAES_H_

#include <suturefleet/learner.h>

#define SF_CMA_SIGMA_MAX 3.0  // step size cap, in prior SDs (the search never grows past it)

// the built-in learner 'cmaes'
const sflLearner* sf_learner_cmaes(void);

// eigen-decomposition of the symmetric n x n matrix a (row-major; n <= SFL_MAX_VALUES) by
// cyclic Jacobi rotations: eigenvalues into w (n), unit eigenvectors into the columns of v
// (n x n, row-major); deterministic (a fixed order of rotations); a is not changed
void sf_cma_eigen(const double* a, int n, double* w, double* v);

#endif  // SUTUREFLEET_SIM_CMAES_H_
