/*
 * The shared captures, frame by frame: see captures.h.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "captures.h"
#include "tickgate/pcap_frames.h"

const char *tg_test_data_dir(void)
{
	const char *d = getenv("TICKGATE_DATA");

	return d != NULL ? d : "../shared/data";
}

unsigned tg_test_each_capture(const char *dir, void (*fn)(void *ctx, const uint8_t *frame, size_t len), void *ctx)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	unsigned files = 0;

	if (d == NULL)
		return 0;
	while ((e = readdir(d)) != NULL) {
		char path[4096];
		struct tg_pcap_reader *pr;
		struct tg_pcap_frame fr;
		char err[256];

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strstr(e->d_name, ".pcap") == NULL) {
			files += tg_test_each_capture(path, fn, ctx);
			continue;
		}
		if (tg_pcap_open(path, &pr, err, sizeof(err)) != 0)
			continue;
		while (tg_pcap_next(pr, &fr) == 1)
			fn(ctx, fr.data, fr.caplen);
		tg_pcap_close(pr);
		files++;
	}
	closedir(d);
	return files;
}
