// elite.h: the built-in learner 'elite': the cross-entropy method over an archive of every
// episode the pool has had (an elitist CEM: Rubinstein & Kroese 2004, with the (mu + lambda)
// selection of evolution strategies), so that every round's episodes, successes and failures,
// compete with all earlier ones and more robots mean a sharper estimate every round.
//
// After each round the K best-scoring episodes of the archive (ties: the later first), with
// K = max(SF_ELITE_MIN, ceil(SF_ELITE_SHARE x the round's episodes)), give the new sampling
// distribution: their weighted mean and full covariance (weights ln(K + 1/2) - ln i, as CMA-ES's
// recombination weights), its eigenvalues floored at SF_ELITE_MIN_SD of each value's range.
// A pool of 256 robots thus keeps the best 52 of 256 episodes after round 0 and of 512 after
// round 1; a solo robot the best 10 of its own. The archive keeps the best SF_ELITE_KEEP x K
// episodes (at least SF_ELITE_KEEP_MIN), so memory stays bounded over any number of rounds. A pure
// function of the episodes in order; no random state (x = m + B D z from the host's draws).
#ifndef SUTUREFLEET_SIM_ELITE_H_
#define SUTUREFLEET_SIM_ELITE_H_

#include <suturefleet/learner.h>

#define SF_ELITE_SHARE 0.2     // elites per episode of the round
#define SF_ELITE_MIN 10        // fewest elites (a solo robot's K)
#define SF_ELITE_MIN_SD 0.004  // floor of the search's SD, as a share of each value's range
#define SF_ELITE_KEEP 8        // the archive keeps this many times K
#define SF_ELITE_KEEP_MIN 256  //   and at least this many episodes

// the built-in learner 'elite'
const sflLearner* sf_learner_elite(void);

#endif  // SUTUREFLEET_SIM_ELITE_H_
