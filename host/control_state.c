/* The control CLI's files per card (control_state.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "control_state.h"

static bool make_dirs(char *path)
{
	for (char *p = path + 1; *p != '\0'; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(path, 0700) != 0 && errno != EEXIST) {
			*p = '/';
			return false;
		}
		*p = '/';
	}
	return mkdir(path, 0700) == 0 || errno == EEXIST;
}

bool control_path(const char *card_uri, const char *suffix, char *out, size_t len)
{
	char dir[512];
	const char *env = getenv("TICKGATE_STATE_DIR");
	const char *xdg = getenv("XDG_STATE_HOME");
	const char *home = getenv("HOME");
	int n;

	if (env != NULL && *env != '\0')
		n = snprintf(dir, sizeof(dir), "%s", env);
	else if (xdg != NULL && *xdg == '/')
		n = snprintf(dir, sizeof(dir), "%s/tickgate", xdg);
	else if (home != NULL && *home == '/')
		n = snprintf(dir, sizeof(dir), "%s/.local/state/tickgate", home);
	else {
		cli_error("no state directory: set TICKGATE_STATE_DIR (or HOME)");
		return false;
	}
	if (n < 0 || (size_t)n >= sizeof(dir) || !make_dirs(dir)) {
		cli_error("state directory %s: %s", dir, n < 0 || (size_t)n >= sizeof(dir) ? "name too long" : strerror(errno));
		return false;
	}
	n = snprintf(out, len, "%s/", dir);
	for (const char *c = card_uri; *c != '\0' && n > 0 && (size_t)n + 1 < len; c++)
		out[n++] = (*c == ':' || *c == '/') ? '-' : *c;
	if (n < 0 || (size_t)n + strlen(suffix) + 1 > len) {
		cli_error("state file name too long");
		return false;
	}
	strcpy(out + n, suffix);
	return true;
}

int control_lock(const char *card_uri)
{
	char path[640];
	int fd;

	if (!control_path(card_uri, ".lock", path, sizeof(path)))
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0 || flock(fd, LOCK_EX) != 0) {
		cli_error("%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

void control_unlock(int fd)
{
	if (fd >= 0)
		close(fd);
}
