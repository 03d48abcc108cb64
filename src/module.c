/* module.c - find, check and load one of pigeon's modules (module.h). */
/* SPDX-License-Identifier: ISC */
#include "module.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config.h"
#include "i18n.h"
#include "util.h"

#ifndef PIGEON_MODDIR
#define PIGEON_MODDIR "/usr/local/lib/pigeon"
#endif

/* The modules there are: few, known by name. */
#define MODULE_MAX 8

/*
 * A program that links a module's code itself (the unit tests) has its
 * table: these weak references are then not NULL, and nothing is loaded.
 */
extern const char *const pigeon_ssl_module __attribute__((weak));
extern const char *const pigeon_magic_module __attribute__((weak));
extern const char *const pigeon_gpg_module __attribute__((weak));
extern const char *const pigeon_idn_module __attribute__((weak));

static const void *
linked_in(const char *name)
{
	if (strcmp(name, "ssl") == 0)
		return &pigeon_ssl_module;
	if (strcmp(name, "magic") == 0)
		return &pigeon_magic_module;
	if (strcmp(name, "gpg") == 0)
		return &pigeon_gpg_module;
	if (strcmp(name, "idn") == 0)
		return &pigeon_idn_module;
	return NULL;
}

static struct loaded {
	const char *name;
	const void *table;
	char *error;      /* why it could not be loaded, once tried */
} loaded[MODULE_MAX];

/* Is path a file (and its directory) that only root or we can change (no group or other write)? */
static int
safe_to_load(const char *path, char **why)
{
	struct stat st;
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t dirlen = slash != NULL ? (size_t)(slash - path) : 0;
	uid_t me = geteuid();

	/* The path is always absolute: its folder is what is before the last '/'. */
	if (dirlen >= sizeof(dir) || snprintf(dir, sizeof(dir), "%.*s",
	    (int)dirlen, path) < 0) {
		*why = util_strf("%s: %s", path, strerror(ENAMETOOLONG));
		return -1;
	}
	if (stat(path, &st) < 0) {
		*why = util_strf("%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISREG(st.st_mode) || (st.st_uid != 0 && st.st_uid != me) ||
	    (st.st_mode & (S_IWGRP | S_IWOTH))) {
		*why = util_strf(_("%s is not a file owned by root or by you "
		    "and writable by no one else: not loaded"), path);
		return -1;
	}
	if (stat(dir, &st) < 0 || (st.st_mode & (S_IWGRP | S_IWOTH)) ||
	    (st.st_uid != 0 && st.st_uid != me)) {
		*why = util_strf(_("%s: its folder may be changed by others: "
		    "not loaded"), path);
		return -1;
	}
	return 0;
}

/* mod/NAME.so next to the program, if there is one: malloc'd or NULL. */
static char *
beside_program(const char *name)
{
	char exe[PATH_MAX], *slash, *p;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof(exe) - 1);

	if (n <= 0)
		return NULL;
	exe[n] = '\0';
	if ((slash = strrchr(exe, '/')) == NULL)
		return NULL;
	*slash = '\0';
	p = util_strf("%s/mod/%s.so", exe, name);
	if (p != NULL && access(p, F_OK) != 0) {
		free(p);
		p = NULL;
	}
	return p;
}

static const void *
load(const char *name, const char *abi, char **error)
{
	char *path = beside_program(name), *why = NULL, *sym;
	const void *table = NULL;
	const char *const *have;
	void *h;

	if (path == NULL &&
	    (path = util_strf("%s/%s.so", PIGEON_MODDIR, name)) == NULL)
		return NULL;
	if (safe_to_load(path, &why) < 0)
		goto out;
	if ((h = dlopen(path, RTLD_NOW | RTLD_LOCAL)) == NULL) {
		why = util_strf("%s", dlerror());
		goto out;
	}
	if ((sym = util_strf("pigeon_%s_module", name)) == NULL) {
		(void)dlclose(h);
		goto out;
	}
	have = dlsym(h, sym);
	free(sym);
	if (have == NULL || *have == NULL || strcmp(*have, abi) != 0) {
		/* L10N: %s is a file name. */
		why = util_strf(_("%s belongs to another build of pigeon; "
		    "install pigeon again"), path);
		(void)dlclose(h);
		goto out;
	}
	table = have;
out:
	if (table == NULL)
		*error = why;
	else
		free(why);
	free(path);
	return table;
}

const void *
module_get(const char *name, const char *abi, char **errstr)
{
	size_t i;

	for (i = 0; i < MODULE_MAX && loaded[i].name != NULL; i++)
		if (strcmp(loaded[i].name, name) == 0)
			break;
	if (i == MODULE_MAX)
		return NULL;
	if (loaded[i].name == NULL) {
		loaded[i].name = name;
		loaded[i].table = linked_in(name);
		if (loaded[i].table == NULL)
			loaded[i].table = load(name, abi, &loaded[i].error);
	}
	if (loaded[i].table == NULL)
		/* L10N: %s is a module's name ("ssl"), then why it failed. */
		util_seterr(errstr, _("cannot load pigeon's %s module: %s"),
		    name, loaded[i].error != NULL ? loaded[i].error :
		    strerror(ENOMEM));
	return loaded[i].table;
}
