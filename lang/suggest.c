/* "Did you mean": the known names closest to a misspelt one, by
 * Damerau-Levenshtein distance (a swap of two neighbours is one edit, as
 * in `latnecy`), within a distance that grows with the word's length. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lang/suggest.h"

static int distance(const char *a, const char *b)
{
	int n = (int)strlen(a), m = (int)strlen(b);
	if (n > 64 || m > 64)
		return 1000;
	int d[65][65];
	for (int i = 0; i <= n; i++)
		d[i][0] = i;
	for (int j = 0; j <= m; j++)
		d[0][j] = j;
	for (int i = 1; i <= n; i++)
		for (int j = 1; j <= m; j++) {
			int cost = a[i - 1] != b[j - 1];
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[n][m];
}

/* An abbreviation: the word's letters in order in the name, the first
 * letter first ("cnt" for "count", "lat" for "latency"). */
static bool abbreviates(const char *word, const char *name)
{
	if (strlen(word) < 3 || word[0] != name[0])
		return false;
	for (; *word && *name; name++)
		if (*name == *word)
			word++;
	return !*word;
}

/* The distance that counts: edits, or within reach for an abbreviation. */
static int nearness(const char *word, const char *name, int limit)
{
	int d = distance(word, name);
	return d > limit && abbreviates(word, name) ? limit : d;
}

bool vnt_suggest(const char *word, const char *const *names, int n, char *out, size_t len)
{
	int wl = (int)strlen(word), best = 1000;
	/* One edit for short names, then one more every four letters. */
	int limit = wl <= 4 ? 1 : 1 + wl / 4;
	for (int i = 0; i < n; i++) {
		if (!names[i] || !strcmp(names[i], word))
			continue;
		int dist = nearness(word, names[i], limit);
		if (dist < best)
			best = dist;
	}
	if (best > limit)
		return false;
	size_t k = 0;
	int shown = 0;
	out[0] = '\0';
	for (int i = 0; i < n && shown < 3; i++) {
		if (!names[i] || !strcmp(names[i], word))
			continue;
		int dist = nearness(word, names[i], limit);
		if (dist != best)
			continue;
		bool dup = false;
		for (int j = 0; j < i && !dup; j++)
			dup = names[j] && !strcmp(names[j], names[i]);
		if (dup)
			continue;
		int w = snprintf(out + k, len - k, "%s'%s'", shown ? " or " : "", names[i]);
		if (w < 0 || (size_t)w >= len - k)
			break;
		k += (size_t)w;
		shown++;
	}
	return shown > 0;
}

void vnt_name_list(const char *const *names, int n, char *out, size_t len)
{
	size_t k = 0;
	out[0] = '\0';
	for (int i = 0; i < n; i++) {
		if (!names[i])
			continue;
		int w = snprintf(out + k, len - k, "%s%s", k ? ", " : "", names[i]);
		if (w < 0 || (size_t)w >= len - k) {
			if (len > 4)
				snprintf(out + (len - 5 > k ? k : len - 5), 5, "...");
			return;
		}
		k += (size_t)w;
	}
}
