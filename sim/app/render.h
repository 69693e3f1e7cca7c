// render.h: MuJoCo's renderer into an offscreen OSMesa context (no display, no GPU) or into an
// interactive GLFW window, with markers and a text overlay.
//
// OSMesa is loaded at run time (dlopen, RTLD_GLOBAL) only for offscreen rendering: MuJoCo
// 2.2.2's GL loader takes the first of eglGetProcAddress, OSMesaGetProcAddress and
// glXGetProcAddressARB it finds in the process, so a binary linked against OSMesa could not
// drive a GLX window. The window's GL comes from GLFW.
#ifndef SUTUREFLEET_SIM_RENDER_H_
#define SUTUREFLEET_SIM_RENDER_H_

#include <mujoco/mujoco.h>

#include "status.h"

#define SF_RENDER_MAX_MARKERS 160

// a small sphere drawn into the scene (e.g. an entry hole), or a segment (a piece of thread, of
// a wound edge) when seg is set
typedef struct sfMarker_ {
  mjtNum pos[3];  // centre (m); a segment's start
  float rgba[4];  // colour
  mjtNum size_m;  // radius; a segment's half width
  int seg;        // 1: a capsule from pos to to
  mjtNum to[3];   // a segment's end (m)
} sfMarker;

// what the window's user asked for since the last frame
typedef struct sfRenderInput_ {
  int paused;    // space toggles
  int step;      // right arrow while paused: one frame forward (consumed by the caller)
  int next;      // N: the next episode (consumed by the caller)
  double speed;  // +/-: playback speed factor (1 at start, 1/16 .. 16)
  int quit;      // Esc or the window closed
} sfRenderInput;

// a renderer (offscreen or window)
typedef struct sfRender_ {
  int width, height;     // image size (pixels)
  void* osmesa;          // OSMesa context (offscreen), or NULL
  unsigned char* osbuf;  // its colour buffer (width x height x 4)
  void* window;          // GLFWwindow, or NULL
  mjvScene scn;
  mjrContext con;
  mjvOption opt;
  mjvCamera cam;
  const mjModel* m;
  sfRenderInput input;
  int buttons[3];         // left, middle, right mouse buttons held
  double last_x, last_y;  // cursor at the last event
} sfRender;

// open an offscreen renderer of width x height for m; SF_ERR_RUN naming the problem (OSMesa
// missing, context failure) with nothing left open
sftStatus sf_render_offscreen(sfRender* r, const mjModel* m, int width, int height, sfError* e);

// open a window of width x height for m; SF_ERR_RUN when there is no display or GL
sftStatus sf_render_window(sfRender* r, const mjModel* m, int width, int height, const char* title,
                           sfError* e);

// aim the free camera at lookat (m) from the default view of the suturing site
void sf_render_look(sfRender* r, const mjtNum lookat[3]);

// draw d (kinematics must be current) with markers and overlay texts (top left, top right;
// '\n' separated lines; may be NULL); offscreen, rgb (width x height x 3, top row first) gets
// the image; in a window, the frame is shown and input is polled
void sf_render_draw(sfRender* r, mjData* d, const sfMarker* markers, int nmarker, const char* left,
                    const char* right, unsigned char* rgb);

// offscreen only: render d as a segmentation image and count the pixels showing each body
// (pixels, m->nbody; geoms of a body count for it); the colour image is not touched
void sf_render_body_pixels(sfRender* r, mjData* d, long* pixels);

// close the renderer (accepts a zeroed or closed one)
void sf_render_free(sfRender* r);

#endif  // SUTUREFLEET_SIM_RENDER_H_
