/*
 * fleet_map.c - the map meetingID -> server: a chained hash table keyed
 * with SipHash (meetingIDs are chosen by clients), each entry also on its
 * server's list, so a poll walks only its server's meetings.
 */
#include "fleet_int.h"

#include <stdlib.h>
#include <string.h>

struct place *gw_fleet_map_find(struct gw_fleet *f, const char *id, size_t len, uint64_t *hash)
{
	uint64_t h = gw_crypto_siphash(f->key, id, len);
	struct place *p;

	*hash = h;
	for (p = f->buckets[h % f->n_buckets]; p != NULL; p = p->hnext) {
		if (p->hash == h && strncmp(p->id, id, len) == 0 && p->id[len] == '\0')
			return p;
	}
	return NULL;
}

struct place *gw_fleet_map_add(struct gw_fleet *f, const char *id, size_t len, uint64_t hash,
			       struct gw_fleet_server *s)
{
	struct place *p;
	struct place **b;

	if (f->n_places >= f->max_places)
		return NULL;
	p = calloc(1, sizeof(*p) + len + 1);
	if (p == NULL)
		return NULL;
	memcpy(p->id, id, len);
	p->hash = hash;
	p->srv = s;
	b = &f->buckets[hash % f->n_buckets];
	p->hnext = *b;
	*b = p;
	p->next = s->head;
	if (s->head != NULL)
		s->head->prev = p;
	s->head = p;
	s->n_places++;
	f->n_places++;
	return p;
}

void gw_fleet_map_placed(struct place *p, uint64_t mono_ms, unsigned seats)
{
	struct gw_fleet_server *s = p->srv;

	p->placed_ms = mono_ms > 0 ? mono_ms : 1;
	p->seats = seats > GW_FLEET_MAX_SEATS ? GW_FLEET_MAX_SEATS : seats;
	if (!p->listed)
		s->n_unlisted++;
	if (p->seats > 0 && !p->reserving) {
		p->reserving = true;
		p->rprev = NULL;
		p->rnext = s->rhead;
		if (s->rhead != NULL)
			s->rhead->rprev = p;
		s->rhead = p;
	}
}

void gw_fleet_map_unreserve(struct place *p)
{
	struct gw_fleet_server *s = p->srv;

	if (!p->reserving)
		return;
	if (p->rprev != NULL)
		p->rprev->rnext = p->rnext;
	else
		s->rhead = p->rnext;
	if (p->rnext != NULL)
		p->rnext->rprev = p->rprev;
	p->reserving = false;
}

void gw_fleet_map_remove(struct gw_fleet *f, struct place *p)
{
	struct place **pp = &f->buckets[p->hash % f->n_buckets];
	struct gw_fleet_server *s = p->srv;

	gw_fleet_map_unreserve(p);
	if (p->placed_ms != 0 && !p->listed)
		s->n_unlisted--;
	while (*pp != p)
		pp = &(*pp)->hnext;
	*pp = p->hnext;
	if (p->prev != NULL)
		p->prev->next = p->next;
	else
		s->head = p->next;
	if (p->next != NULL)
		p->next->prev = p->prev;
	s->n_places--;
	f->n_places--;
	free(p);
}

void gw_fleet_map_drop_server(struct gw_fleet *f, struct gw_fleet_server *s)
{
	while (s->head != NULL)
		gw_fleet_map_remove(f, s->head);
}

void gw_fleet_map_polled(struct gw_fleet *f, struct gw_fleet_server *s,
			 const struct gw_fleet_poll *poll, uint64_t started_ms)
{
	struct place *p, *next;
	size_t i;

	s->round++;
	for (i = 0; i < poll->n; i++) {
		size_t len = strlen(poll->ids[i]);
		uint64_t h;

		p = gw_fleet_map_find(f, poll->ids[i], len, &h);
		/* a meeting listed by two servers stays where the map has it */
		if (p == NULL)
			p = gw_fleet_map_add(f, poll->ids[i], len, h, s);
		if (p == NULL || p->srv != s)
			continue;
		p->users = poll->users[i];
		if (p->placed_ms != 0 && !p->listed)
			s->n_unlisted--;
		p->listed = true;
		p->misses = 0;
		p->mark = s->round;
	}
	for (p = s->head; p != NULL; p = next) {
		next = p->next;
		if (p->mark == s->round)
			continue;
		/* a poll that may have started before the create ended says nothing */
		if (p->placed_ms != 0 && started_ms < p->placed_ms + f->grace_ms)
			continue;
		if (++p->misses >= 2)
			gw_fleet_map_remove(f, p);
	}
}
