/*
** main.c: the cnilua command, modelled on Lua's own lua.c.
**   cnilua [options] [script [args]]     run a Lua script (like lua)
**   cnilua SUBCOMMAND ...                front-ends written in Lua (cni.cli)
** Exit codes: 0 ok, 1 script/runtime error, 2 usage, 3 bad data, spec or
** output file, 130 interrupted.
** Only this file prints to stdout/stderr or exits.
*/
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <lua.h>
#include <lauxlib.h>
#include <lualib.h>

#include "cni.h"

#ifndef CNILUA_LUA_DIR
#define CNILUA_LUA_DIR "lua"
#endif

enum { EXIT_SCRIPT = 1, EXIT_USAGE = 2, EXIT_DATA = 3, EXIT_INTERRUPT = 130 };

int luaopen_cni_core(lua_State *L);

static const char *const progname = "cnilua";

/* The one piece of global state: the signal handler must reach the running
** state to stop it (exactly as lua.c does). */
static lua_State *globalL = NULL;

static void lstop(lua_State *L, lua_Debug *ar) {
  (void)ar;
  lua_sethook(L, NULL, 0, 0);
  lua_createtable(L, 0, 2);
  lua_pushliteral(L, "interrupted");
  lua_setfield(L, -2, "kind");
  lua_pushliteral(L, "interrupted (Ctrl-C)");
  lua_setfield(L, -2, "msg");
  luaL_setmetatable(L, "cni.Error");
  lua_error(L);
}

static void laction(int i) {
  int flag = LUA_MASKCALL | LUA_MASKRET | LUA_MASKLINE | LUA_MASKCOUNT;
  signal(i, SIG_DFL);
  lua_sethook(globalL, lstop, flag, 1);
}

static void print_usage(FILE *f) {
  fprintf(f,
    "usage: %s [options] [script [args]]\n"
    "       %s SUBCOMMAND [args]   (run 'cnilua help' for subcommands)\n"
    "Options:\n"
    "  -e stat    execute string 'stat'\n"
    "  -l mod     require library 'mod' into global 'mod'\n"
    "  -i         enter interactive mode after running the script\n"
    "  --debug    print a traceback with errors\n"
    "  -v, --version  show version information\n"
    "  -h, --help     show this help\n"
    "  --         stop handling options\n"
    "  -          run standard input and stop handling options\n"
    "With no script: an interactive prompt on a terminal, else standard input.\n"
    "The library is preloaded as the global 'cni' (also: require \"cni\").\n"
    "Exit codes: 0 ok, 1 script error, 2 usage, 3 bad data/spec/output.\n",
    progname, progname);
}

/* Error object -> exit code. */
static int exit_code_of(lua_State *L, int idx) {
  if (lua_type(L, idx) != LUA_TTABLE) return EXIT_SCRIPT;
  lua_getfield(L, idx, "kind");
  const char *k = lua_tostring(L, -1);
  int code = EXIT_SCRIPT;
  if (k) {
    if (strcmp(k, "data") == 0 || strcmp(k, "spec") == 0 || strcmp(k, "io") == 0) code = EXIT_DATA;
    else if (strcmp(k, "usage") == 0) code = EXIT_USAGE;
    else if (strcmp(k, "interrupted") == 0) code = EXIT_INTERRUPT;
  }
  lua_pop(L, 1);
  return code;
}

typedef struct hoststate {
  int debug;
  int status;     /* exit code of the first error */
} hoststate;

static hoststate *getstate(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, "cnilua.host");
  hoststate *h = lua_touserdata(L, -1);
  lua_pop(L, 1);
  return h;
}

/* Message handler: turns the error into "message" (+ traceback with
** --debug) while keeping error objects' kind for the exit code. */
static int msghandler(lua_State *L) {
  hoststate *h = getstate(L);
  const char *msg;
  int code = exit_code_of(L, 1);
  if (lua_type(L, 1) == LUA_TTABLE) {
    lua_getfield(L, 1, "msg");
    msg = lua_tostring(L, -1);
    if (msg == NULL) msg = "(error object)";
  } else if ((msg = lua_tostring(L, 1)) == NULL) {
    if (luaL_callmeta(L, 1, "__tostring") && lua_type(L, -1) == LUA_TSTRING)
      msg = lua_tostring(L, -1);
    else
      msg = lua_pushfstring(L, "(error object is a %s value)", luaL_typename(L, 1));
  }
  if (h && h->debug) luaL_traceback(L, L, msg, 1);
  else lua_pushstring(L, msg);
  lua_createtable(L, 0, 2);                        /* stack: ..., msg, rec */
  lua_insert(L, -2);
  lua_setfield(L, -2, "msg");
  lua_pushinteger(L, code);
  lua_setfield(L, -2, "code");
  return 1;
}

static int report(lua_State *L, int status) {
  if (status == LUA_OK) return 0;
  int code = EXIT_SCRIPT;
  const char *msg = NULL;
  if (lua_type(L, -1) == LUA_TTABLE) {
    lua_getfield(L, -1, "code");
    code = (int)lua_tointeger(L, -1);
    lua_getfield(L, -2, "msg");
    msg = lua_tostring(L, -1);
  } else {
    msg = lua_tostring(L, -1);
  }
  if (code == 0) code = EXIT_SCRIPT;
  fprintf(stderr, "%s: %s\n", progname, msg ? msg : "(no message)");
  fflush(stderr);
  lua_settop(L, 0);
  return code;
}

static int docall(lua_State *L, int narg, int nres) {
  int base = lua_gettop(L) - narg;
  lua_pushcfunction(L, msghandler);
  lua_insert(L, base);
  globalL = L;
  signal(SIGINT, laction);
  int status = lua_pcall(L, narg, nres, base);
  signal(SIGINT, SIG_DFL);
  lua_remove(L, base);
  return status;
}

static void createargtable(lua_State *L, char **argv, int argc, int script) {
  int narg = argc - (script + 1);
  lua_createtable(L, narg, script + 1);
  for (int i = 0; i < argc; i++) {
    lua_pushstring(L, argv[i]);
    lua_rawseti(L, -2, i - script);
  }
  lua_setglobal(L, "arg");
}

static int pushargs(lua_State *L) {
  if (lua_getglobal(L, "arg") != LUA_TTABLE) luaL_error(L, "'arg' is not a table");
  int n = (int)luaL_len(L, -1);
  luaL_checkstack(L, n + 3, "too many arguments to script");
  for (int i = 1; i <= n; i++) lua_rawgeti(L, -i, i);
  lua_remove(L, -n - 1);
  return n;
}

/* After a script: a returned value is handed to cni.cli.after_script (which
** runs a returned index spec). Returns the exit status. */
static int after_script(lua_State *L, int nres, const char *script) {
  if (nres == 0 || lua_isnil(L, -nres)) { lua_settop(L, 0); return 0; }
  lua_settop(L, lua_gettop(L) - nres + 1);          /* keep first result */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cni.cli");
  int st = docall(L, 1, 1);
  if (st != LUA_OK) return report(L, st);
  lua_getfield(L, -1, "after_script");
  if (!lua_isfunction(L, -1)) { lua_settop(L, 0); return 0; }
  lua_insert(L, -3);                                 /* f, value, module */
  lua_pop(L, 1);
  lua_pushstring(L, script);
  st = docall(L, 2, 1);
  if (st != LUA_OK) return report(L, st);
  int code = (int)lua_tointeger(L, -1);
  lua_settop(L, 0);
  return code;
}

static int run_chunk(lua_State *L, int status, const char *name, int is_script) {
  if (status != LUA_OK) {
    /* syntax errors and unreadable scripts */
    const char *msg = lua_tostring(L, -1);
    fprintf(stderr, "%s: %s\n", progname, msg ? msg : "?");
    lua_settop(L, 0);
    return status == LUA_ERRFILE ? EXIT_USAGE : EXIT_SCRIPT;
  }
  int n = 0;
  if (is_script) n = pushargs(L);
  int base = lua_gettop(L) - n - 1;
  status = docall(L, n, LUA_MULTRET);
  if (status != LUA_OK) return report(L, status);
  int nres = lua_gettop(L) - base;
  if (is_script) return after_script(L, nres, name);
  lua_settop(L, 0);
  return 0;
}

static int dolibrary(lua_State *L, const char *name) {
  lua_getglobal(L, "require");
  lua_pushstring(L, name);
  int st = docall(L, 1, 1);
  if (st != LUA_OK) return report(L, st);
  const char *dot = strrchr(name, '.');
  lua_setglobal(L, dot ? dot + 1 : name);
  return 0;
}

/* {===== REPL */

static int incomplete(lua_State *L, int status) {
  if (status == LUA_ERRSYNTAX) {
    size_t lmsg;
    const char *msg = lua_tolstring(L, -1, &lmsg);
    if (lmsg >= 5 && strcmp(msg + lmsg - 5, "<eof>") == 0) {
      lua_pop(L, 1);
      return 1;
    }
  }
  return 0;
}

static void repl(lua_State *L) {
  char line[4096];
  printf("cnilua %s (Lua %s.%s) with the cni library preloaded; ctrl-D to quit\n",
         CNI_VERSION, LUA_VERSION_MAJOR, LUA_VERSION_MINOR);
  for (;;) {
    luaL_Buffer b;
    fputs("> ", stdout);
    fflush(stdout);
    if (!fgets(line, sizeof line, stdin)) break;
    lua_settop(L, 0);
    lua_pushstring(L, line);
    /* try as expression first */
    lua_pushfstring(L, "return %s", line);
    int st = luaL_loadbuffer(L, lua_tostring(L, -1), lua_rawlen(L, -1), "=stdin");
    if (st == LUA_OK) {
      lua_remove(L, -2);
    } else {
      lua_pop(L, 2);                                 /* stack: line */
      for (;;) {
        st = luaL_loadbuffer(L, lua_tostring(L, 1), lua_rawlen(L, 1), "=stdin");
        if (!incomplete(L, st)) break;
        fputs(">> ", stdout);
        fflush(stdout);
        if (!fgets(line, sizeof line, stdin)) break;
        luaL_buffinit(L, &b);
        lua_pushvalue(L, 1);
        luaL_addvalue(&b);
        luaL_addstring(&b, line);
        luaL_pushresult(&b);
        lua_replace(L, 1);
      }
      if (st != LUA_OK) {
        fprintf(stderr, "%s\n", lua_tostring(L, -1));
        continue;
      }
    }
    int base = lua_gettop(L);
    st = docall(L, 0, LUA_MULTRET);
    if (st != LUA_OK) { report(L, st); continue; }
    int n = lua_gettop(L) - base + 1;
    if (n > 0) {
      lua_getglobal(L, "cni");
      lua_getfield(L, -1, "show");
      lua_remove(L, -2);
      for (int i = 0; i < n; i++) {
        lua_pushvalue(L, -1);
        lua_pushvalue(L, base + i);
        if (lua_isfunction(L, -2)) lua_call(L, 1, 1);
        else { lua_remove(L, -2); luaL_tolstring(L, -1, NULL); lua_remove(L, -2); }
        puts(lua_tostring(L, -1) ? lua_tostring(L, -1) : "?");
        lua_pop(L, 1);
      }
    }
  }
  puts("");
}

/* }===== */

static void setup_paths(lua_State *L, const char *exe) {
  const char *dir = getenv("CNILUA_LUA_DIR");
  (void)exe;
  if (dir == NULL || *dir == '\0') dir = CNILUA_LUA_DIR;
  lua_getglobal(L, "package");
  lua_getfield(L, -1, "path");
  lua_pushfstring(L, "%s/?.lua;%s/?/init.lua;%s", dir, dir, lua_tostring(L, -1));
  lua_setfield(L, -3, "path");
  lua_pop(L, 1);
  lua_getfield(L, -1, "preload");
  lua_pushcfunction(L, luaopen_cni_core);
  lua_setfield(L, -2, "cni.core");
  lua_pop(L, 2);
}

static int is_subcommand(const char *s) {
  static const char *const subs[] = {"run", "compare", "explain", "uncertainty", "map",
                                     "profile", "sweep", "help", "check", NULL};
  for (int i = 0; subs[i]; i++) if (strcmp(s, subs[i]) == 0) return 1;
  return 0;
}

static int pmain_body(lua_State *L, int argc, char **argv) {
  hoststate *h = getstate(L);
  int script = 0, has_e = 0, interactive = 0, i;
  /* first pass: validate options */
  for (i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (a[0] != '-' || strcmp(a, "-") == 0) break;
    if (strcmp(a, "--") == 0) { i++; break; }
    if (strcmp(a, "-e") == 0 || strcmp(a, "-l") == 0) {
      if (i + 1 >= argc) {
        fprintf(stderr, "%s: '%s' needs an argument\n", progname, a);
        print_usage(stderr);
        return EXIT_USAGE;
      }
      if (a[1] == 'e') has_e = 1;
      i++;
    } else if (strcmp(a, "-i") == 0) interactive = 1;
    else if (strcmp(a, "--debug") == 0) h->debug = 1;
    else if (strcmp(a, "-v") == 0 || strcmp(a, "--version") == 0) {
      printf("cnilua %s (Lua %s.%s.%s)\n", CNI_VERSION, LUA_VERSION_MAJOR,
             LUA_VERSION_MINOR, LUA_VERSION_RELEASE);
      return 0;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      print_usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "%s: unrecognized option '%s'\n", progname, a);
      print_usage(stderr);
      return EXIT_USAGE;
    }
  }
  script = i < argc ? i : 0;
  /* preload the library as global 'cni' */
  lua_getglobal(L, "require");
  lua_pushliteral(L, "cni");
  int st = docall(L, 1, 1);
  if (st != LUA_OK) return report(L, st);
  lua_setglobal(L, "cni");
  /* subcommands */
  if (script && is_subcommand(argv[script]) && access(argv[script], F_OK) != 0) {
    createargtable(L, argv, argc, script);
    lua_getglobal(L, "require");
    lua_pushliteral(L, "cni.cli");
    st = docall(L, 1, 1);
    if (st != LUA_OK) return report(L, st);
    lua_getfield(L, -1, "main");
    lua_remove(L, -2);
    int n = argc - script;
    for (int k = 0; k < n; k++) lua_pushstring(L, argv[script + k]);
    st = docall(L, n, 1);
    if (st != LUA_OK) return report(L, st);
    int code = (int)lua_tointeger(L, -1);
    lua_settop(L, 0);
    return code;
  }
  createargtable(L, argv, argc, script);
  /* second pass: run -e and -l in order */
  for (i = 1; i < (script ? script : argc); i++) {
    const char *a = argv[i];
    if (strcmp(a, "--") == 0) break;
    if (strcmp(a, "-e") == 0) {
      const char *code = argv[++i];
      int r = run_chunk(L, luaL_loadbuffer(L, code, strlen(code), "=(command line)"), "-e", 0);
      if (r) return r;
    } else if (strcmp(a, "-l") == 0) {
      int r = dolibrary(L, argv[++i]);
      if (r) return r;
    }
  }
  if (script) {
    const char *fname = argv[script];
    if (strcmp(fname, "-") == 0 && strcmp(argv[script - 1], "--") != 0) fname = NULL;
    int lst = luaL_loadfile(L, fname);
    if (lst == LUA_ERRFILE) {
      fprintf(stderr, "%s: %s\n", progname, lua_tostring(L, -1));
      return EXIT_USAGE;
    }
    int r = run_chunk(L, lst, fname ? fname : "stdin", 1);
    if (r) return r;
    if (interactive) repl(L);
    return 0;
  }
  if (interactive || (!has_e && isatty(0))) {
    repl(L);
    return 0;
  }
  if (!has_e) return run_chunk(L, luaL_loadfile(L, NULL), "stdin", 1);
  return 0;
}

static int pmain(lua_State *L) {
  int argc = (int)lua_tointeger(L, 1);
  char **argv = lua_touserdata(L, 2);
  luaL_checkversion(L);
  luaL_openlibs(L);
  hoststate *h = lua_newuserdatauv(L, sizeof *h, 0);
  h->debug = 0;
  h->status = 0;
  lua_setfield(L, LUA_REGISTRYINDEX, "cnilua.host");
  lua_pushboolean(L, 1);
  lua_setfield(L, LUA_REGISTRYINDEX, "LUA_NOENV");
  setup_paths(L, argv[0]);
  lua_settop(L, 0);
  int code = pmain_body(L, argc, argv);
  lua_pushinteger(L, code);
  return 1;
}

int main(int argc, char **argv) {
  lua_State *L = luaL_newstate();
  if (L == NULL) {
    fprintf(stderr, "%s: cannot create state: not enough memory\n", progname);
    return EXIT_FAILURE;
  }
  lua_pushcfunction(L, pmain);
  lua_pushinteger(L, argc);
  lua_pushlightuserdata(L, argv);
  int status = lua_pcall(L, 2, 1, 0);
  int code = status == LUA_OK ? (int)lua_tointeger(L, -1) : EXIT_SCRIPT;
  if (status != LUA_OK) fprintf(stderr, "%s: %s\n", progname, lua_tostring(L, -1));
  fflush(stdout);
  lua_close(L);
  return code;
}
