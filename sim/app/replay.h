// replay.h: watch a stored episode: a video (MP4 through ffmpeg), PNG frames, or a window.
//
// The frames come from the episode's trajectory in the store (/data/demo_<id>); an episode that
// was not recorded is simulated again from its stored context and skill (same model, same
// controller: a plug-in store's file comes from the command line and must have the store's
// hash) and the result must match the stored outcome exactly. The overlay shows the
// episode, robot, cohort, the phase of the throw and the SRC metrics as they become known.
#ifndef SUTUREFLEET_SIM_REPLAY_H_
#define SUTUREFLEET_SIM_REPLAY_H_

#include <stdio.h>

#include "status.h"

// what to replay and how
typedef struct sfReplayArgs_ {
  const char* store;       // the store
  long episode;            // episode id
  const char* out;         // FILE.mp4 or a directory for PNG frames (NULL with window)
  int window;              // an interactive window instead
  int width, height;       // image size (pixels)
  double fps;              // frames per simulated second
  long max_frames;         // window: close after this many frames (0: when the user closes it)
  int resimulate;          // simulate an unrecorded episode again (default 1)
  const char* controller;  // the controller to simulate it with (NULL: the store's built-in);
                           //   a plug-in store's needs its file here, never loaded from the
                           //   store's own path and checked against its hash before loading
} sfReplayArgs;

// replay as args say; progress and the output's description go to out; SF_ERR_INPUT for an
// unknown episode, an episode without a trajectory when resimulate is 0, an output that cannot
// be written, or an episode to simulate again of a plug-in store without args->controller or
// with a controller file whose hash is not the store's (nothing of it loaded); SF_ERR_RUN when
// rendering, ffmpeg or the re-simulation fails
sftStatus sf_replay(const sfReplayArgs* args, FILE* out, sfError* e);

#endif  // SUTUREFLEET_SIM_REPLAY_H_
