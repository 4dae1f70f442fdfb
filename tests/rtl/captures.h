/*
 * The shared Nasdaq captures (../shared/data, or $TICKGATE_DATA) for the RTL
 * tests: every pcap under a directory, frame by frame.
 */
#ifndef TG_TEST_CAPTURES_H
#define TG_TEST_CAPTURES_H

#include <stddef.h>
#include <stdint.h>

/* $TICKGATE_DATA, else ../shared/data */
const char *tg_test_data_dir(void);

/* Every frame of every .pcap under dir (recursively) to fn; returns the
 * number of captures read. */
unsigned tg_test_each_capture(const char *dir, void (*fn)(void *ctx, const uint8_t *frame, size_t len),
			      void *ctx);

#endif
