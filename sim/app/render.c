// render.c: offscreen (OSMesa) and window (GLFW) rendering of a MuJoCo scene with markers and
// overlay text.
#include "render.h"

#include <GL/osmesa.h>
#include <GLFW/glfw3.h>
#include <dlfcn.h>
#include <stdlib.h>
#include <string.h>

#define SF_OSMESA_LIB "libOSMesa.so.8"
#define SF_SCENE_GEOMS 4000

// OSMesa's functions, resolved at run time
typedef OSMesaContext (*sfOsCreate)(GLenum, GLint, GLint, GLint, OSMesaContext);
typedef GLboolean (*sfOsMakeCurrent)(OSMesaContext, void*, GLenum, GLsizei, GLsizei);
typedef void (*sfOsDestroy)(OSMesaContext);

static struct {
  void* lib;
  sfOsCreate create;
  sfOsMakeCurrent make_current;
  sfOsDestroy destroy;
} sf_os;

// load OSMesa into the global scope (MuJoCo's GL loader looks for OSMesaGetProcAddress there);
// -1 if it is not installed
static int sf_osmesa_load(void) {
  if (sf_os.lib) return 0;
  void* lib = dlopen(SF_OSMESA_LIB, RTLD_NOW | RTLD_GLOBAL);
  if (!lib) return -1;
  void* f[3] = {dlsym(lib, "OSMesaCreateContextExt"), dlsym(lib, "OSMesaMakeCurrent"),
                dlsym(lib, "OSMesaDestroyContext")};
  if (!f[0] || !f[1] || !f[2]) {
    dlclose(lib);
    return -1;
  }
  memcpy(&sf_os.create, &f[0], sizeof(f[0]));
  memcpy(&sf_os.make_current, &f[1], sizeof(f[1]));
  memcpy(&sf_os.destroy, &f[2], sizeof(f[2]));
  sf_os.lib = lib;
  return 0;
}

// scene, options and the camera, once a GL context is current
static void sf_render_common(sfRender* r, const mjModel* m) {
  r->m = m;
  mjv_defaultScene(&r->scn);
  mjv_defaultOption(&r->opt);
  mjv_defaultCamera(&r->cam);
  mjr_defaultContext(&r->con);
  mjv_makeScene(m, &r->scn, SF_SCENE_GEOMS);
  mjr_makeContext(m, &r->con, mjFONTSCALE_100);
  r->opt.sitegroup[3] = 1;  // the needle's tip, tail and centre sites
  r->input.speed = 1;
  mjtNum origin[3] = {0, 0, 0};
  sf_render_look(r, origin);
}

sftStatus sf_render_offscreen(sfRender* r, const mjModel* m, int width, int height, sfError* e) {
  memset(r, 0, sizeof(*r));
  if (width > m->vis.global.offwidth || height > m->vis.global.offheight) {
    return sf_fail(e, SF_ERR_INPUT,
                   "image %dx%d is larger than the model's offscreen buffer "
                   "%dx%d (visual/global offwidth, offheight)",
                   width, height, m->vis.global.offwidth, m->vis.global.offheight);
  }
  if (sf_osmesa_load() != 0) {
    return sf_fail(e, SF_ERR_RUN,
                   "cannot load %s for offscreen rendering (apt-get install "
                   "libosmesa6)",
                   SF_OSMESA_LIB);
  }

  // an RGBA context with a depth and stencil buffer, current on this thread
  r->width = width, r->height = height;
  r->osbuf = SF_CALLOC((size_t)width * (size_t)height, 4);
  r->osmesa = sf_os.create(OSMESA_RGBA, 24, 8, 0, NULL);
  if (!r->osmesa || !sf_os.make_current(r->osmesa, r->osbuf, GL_UNSIGNED_BYTE, width, height)) {
    sf_render_free(r);
    return sf_fail(e, SF_ERR_RUN, "cannot create an OSMesa context of %dx%d", width, height);
  }
  sf_render_common(r, m);
  mjr_setBuffer(mjFB_OFFSCREEN, &r->con);
  if (r->con.currentBuffer != mjFB_OFFSCREEN) {
    sf_render_free(r);
    return sf_fail(e, SF_ERR_RUN, "MuJoCo's offscreen buffer is not available under OSMesa");
  }
  return SF_OK;
}

// window callbacks: keys, mouse buttons, cursor motion, scroll
static void sf_on_key(GLFWwindow* w, int key, int scancode, int act, int mods) {
  sfRender* r = glfwGetWindowUserPointer(w);
  if (act == GLFW_RELEASE) return;
  if (key == GLFW_KEY_ESCAPE) r->input.quit = 1;
  if (key == GLFW_KEY_SPACE && act == GLFW_PRESS) r->input.paused = !r->input.paused;
  if (key == GLFW_KEY_RIGHT) r->input.step = 1;
  if (key == GLFW_KEY_N && act == GLFW_PRESS) r->input.next = 1;
  if (key == GLFW_KEY_EQUAL || key == GLFW_KEY_KP_ADD) r->input.speed *= 2;
  if (key == GLFW_KEY_MINUS || key == GLFW_KEY_KP_SUBTRACT) r->input.speed /= 2;
  r->input.speed = r->input.speed > 16 ? 16 : r->input.speed < 1.0 / 16 ? 1.0 / 16 : r->input.speed;
}

static void sf_on_button(GLFWwindow* w, int button, int act, int mods) {
  sfRender* r = glfwGetWindowUserPointer(w);
  int which[3] = {GLFW_MOUSE_BUTTON_LEFT, GLFW_MOUSE_BUTTON_MIDDLE, GLFW_MOUSE_BUTTON_RIGHT};
  for (int i = 0; i < 3; i++) r->buttons[i] = glfwGetMouseButton(w, which[i]) == GLFW_PRESS;
  glfwGetCursorPos(w, &r->last_x, &r->last_y);
}

static void sf_on_move(GLFWwindow* w, double x, double y) {
  sfRender* r = glfwGetWindowUserPointer(w);
  if (!r->buttons[0] && !r->buttons[1] && !r->buttons[2]) return;
  double dx = x - r->last_x, dy = y - r->last_y;
  r->last_x = x, r->last_y = y;
  int width, height;
  glfwGetWindowSize(w, &width, &height);
  int shift = glfwGetKey(w, GLFW_KEY_LEFT_SHIFT) == GLFW_PRESS ||
              glfwGetKey(w, GLFW_KEY_RIGHT_SHIFT) == GLFW_PRESS;
  // like MuJoCo's simulate: left rotates, right moves, middle zooms (shift: horizontal plane)
  int action = r->buttons[2]   ? (shift ? mjMOUSE_MOVE_H : mjMOUSE_MOVE_V)
               : r->buttons[0] ? (shift ? mjMOUSE_ROTATE_H : mjMOUSE_ROTATE_V)
                               : mjMOUSE_ZOOM;
  mjv_moveCamera(r->m, action, dx / height, dy / height, &r->scn, &r->cam);
}

static void sf_on_scroll(GLFWwindow* w, double xoff, double yoff) {
  sfRender* r = glfwGetWindowUserPointer(w);
  mjv_moveCamera(r->m, mjMOUSE_ZOOM, 0, -0.05 * yoff, &r->scn, &r->cam);
}

sftStatus sf_render_window(sfRender* r, const mjModel* m, int width, int height, const char* title,
                           sfError* e) {
  memset(r, 0, sizeof(*r));
  if (!glfwInit()) {
    return sf_fail(e, SF_ERR_RUN,
                   "cannot open a window: GLFW found no display (set DISPLAY, or "
                   "run under xvfb-run)");
  }
  glfwWindowHint(GLFW_SAMPLES, 4);
  glfwWindowHint(GLFW_CLIENT_API, GLFW_OPENGL_API);
  GLFWwindow* w = glfwCreateWindow(width, height, title, NULL, NULL);
  if (!w) {
    glfwTerminate();
    return sf_fail(e, SF_ERR_RUN, "cannot open a %dx%d OpenGL window", width, height);
  }
  r->window = w;
  r->width = width, r->height = height;
  glfwMakeContextCurrent(w);
  glfwSwapInterval(1);
  glfwSetWindowUserPointer(w, r);
  glfwSetKeyCallback(w, sf_on_key);
  glfwSetMouseButtonCallback(w, sf_on_button);
  glfwSetCursorPosCallback(w, sf_on_move);
  glfwSetScrollCallback(w, sf_on_scroll);
  sf_render_common(r, m);
  mjr_setBuffer(mjFB_WINDOW, &r->con);
  return SF_OK;
}

void sf_render_look(sfRender* r, const mjtNum lookat[3]) {
  r->cam.type = mjCAMERA_FREE;
  for (int i = 0; i < 3; i++) r->cam.lookat[i] = lookat[i];
  r->cam.distance = 0.06;
  r->cam.azimuth = 120;
  r->cam.elevation = -32;
}

void sf_render_draw(sfRender* r, mjData* d, const sfMarker* markers, int nmarker, const char* left,
                    const char* right, unsigned char* rgb) {
  mjrRect vp = {0, 0, r->width, r->height};
  if (r->window) glfwGetFramebufferSize(r->window, &vp.width, &vp.height);

  // the scene, the markers, the overlay
  mjv_updateScene(r->m, d, &r->opt, NULL, &r->cam, mjCAT_ALL, &r->scn);
  for (int i = 0; i < nmarker && r->scn.ngeom < r->scn.maxgeom; i++) {
    const sfMarker* k = &markers[i];
    mjtNum size[3] = {k->size_m, k->size_m, k->size_m};
    mjvGeom* g = &r->scn.geoms[r->scn.ngeom++];
    mjv_initGeom(g, mjGEOM_SPHERE, size, k->pos, NULL, k->rgba);
    if (k->seg) {
      mjv_makeConnector(g, mjGEOM_CAPSULE, k->size_m, k->pos[0], k->pos[1], k->pos[2], k->to[0],
                        k->to[1], k->to[2]);
    }
    g->category = mjCAT_DECOR;
  }
  mjr_render(vp, &r->scn, &r->con);
  if (left) mjr_overlay(mjFONT_NORMAL, mjGRID_TOPLEFT, vp, left, NULL, &r->con);
  if (right) mjr_overlay(mjFONT_NORMAL, mjGRID_TOPRIGHT, vp, right, NULL, &r->con);

  // the window shows it; offscreen, the pixels top row first
  if (r->window) {
    glfwSwapBuffers(r->window);
    glfwPollEvents();
    if (glfwWindowShouldClose(r->window)) r->input.quit = 1;
    return;
  }
  mjr_readPixels(rgb, NULL, vp, &r->con);
  size_t row = (size_t)r->width * 3;
  unsigned char* tmp = SF_CALLOC(row, 1);
  for (int y = 0; y < r->height / 2; y++) {
    unsigned char* a = rgb + (size_t)y * row;
    unsigned char* b = rgb + (size_t)(r->height - 1 - y) * row;
    memcpy(tmp, a, row);
    memcpy(a, b, row);
    memcpy(b, tmp, row);
  }
  free(tmp);
}

void sf_render_body_pixels(sfRender* r, mjData* d, long* pixels) {
  const mjModel* m = r->m;
  mjrRect vp = {0, 0, r->width, r->height};
  memset(pixels, 0, sizeof(long) * (size_t)m->nbody);
  mjv_updateScene(m, d, &r->opt, NULL, &r->cam, mjCAT_ALL, &r->scn);
  r->scn.flags[mjRND_SEGMENT] = 1;
  r->scn.flags[mjRND_IDCOLOR] = 1;
  mjr_render(vp, &r->scn, &r->con);
  r->scn.flags[mjRND_SEGMENT] = 0;
  r->scn.flags[mjRND_IDCOLOR] = 0;
  size_t n = (size_t)r->width * (size_t)r->height;
  unsigned char* rgb = SF_CALLOC(n, 3);
  mjr_readPixels(rgb, NULL, vp, &r->con);

  // colour = segid + 1 (little-endian bytes); segid -> scene geom -> model geom -> body
  for (size_t i = 0; i < n; i++) {
    int id = rgb[3 * i] + (rgb[3 * i + 1] << 8) + (rgb[3 * i + 2] << 16) - 1;
    for (int g = 0; id >= 0 && g < r->scn.ngeom; g++) {
      const mjvGeom* v = &r->scn.geoms[g];
      if (v->segid != id) continue;
      if (v->objtype == mjOBJ_GEOM && v->objid >= 0) pixels[m->geom_bodyid[v->objid]]++;
      break;
    }
  }
  free(rgb);
}

void sf_render_free(sfRender* r) {
  if (!r) return;
  if (r->m) {
    mjr_freeContext(&r->con);
    mjv_freeScene(&r->scn);
  }
  if (r->osmesa) {
    sf_os.make_current(NULL, NULL, 0, 0, 0);
    sf_os.destroy(r->osmesa);
  }
  free(r->osbuf);
  if (r->window) {
    glfwDestroyWindow(r->window);
    glfwTerminate();
  }
  memset(r, 0, sizeof(*r));
}
