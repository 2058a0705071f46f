"""Feeds through the wrapper against a real server: read N events, stop, resume
from the last position and get exactly the following events once; live delivery;
filters and checkpoints; WatchSector; resumption across a server restart."""

from __future__ import annotations

import threading
import unittest

import support
import agreements_client as ac
from agreements_client import v1


def positions(events) -> list[int]:
    """The positions of events."""
    return [event.envelope.position for event in events]


class FeedTest(support.ServerTestCase):
    """Subscribe and WatchSector on a server with a known history."""

    treaty: str
    parties: list[str]

    @classmethod
    def setUpClass(cls) -> None:
        super().setUpClass()
        cls.parties = [support.unique("py-state") for _ in range(3)]
        for party_id in cls.parties:
            cls.client.register_party(support.state_party(party_id, "KZ"))
        cls.treaty = support.unique("py-energy")
        cls.client.record_agreement(support.bilateral_treaty(cls.treaty, cls.parties[:2]))
        for revision, party_id in enumerate(cls.parties[:2], start=1):
            cls.client.apply_change(cls.treaty, support.signature_change(party_id),
                                    expected_revision=revision)
        cls.client.record_agreement(support.bilateral_treaty(
            support.unique("py-transport"), cls.parties[1:], "transport"))

    def read(self, subscription: ac.FeedSubscription, **kwargs) -> list[int]:
        """The positions subscription.events(**kwargs) delivers (bounded)."""
        return support.bounded(lambda: positions(subscription.events(**kwargs)),
                               subscription.stop)

    def history(self) -> list[int]:
        """Every position up to the head, read from the beginning."""
        return self.read(self.client.subscribe("beginning"), until_caught_up=True)

    def test_history_is_gap_free(self) -> None:
        history = self.history()
        self.assertGreaterEqual(len(history), 7)
        self.assertEqual(history, list(range(1, len(history) + 1)))

    def test_read_n_events_stop_and_resume_from_the_last_position(self) -> None:
        history = self.history()
        subscription = self.client.subscribe("beginning")
        first = self.read(subscription, limit=4)
        self.assertEqual(first, history[:4])
        self.assertEqual(subscription.last_position, first[-1])
        # A new subscription, as a consumer that stored the position would make.
        rest = self.read(self.client.subscribe(subscription.last_position + 1),
                         until_caught_up=True)
        self.assertEqual(first + rest, history)

    def test_the_same_subscription_continues_where_it_stopped(self) -> None:
        history = self.history()
        subscription = self.client.subscribe("beginning")
        first = self.read(subscription, limit=3)
        self.assertEqual(subscription.resume_request().from_position, first[-1] + 1)
        rest = self.read(subscription, until_caught_up=True)
        self.assertEqual(first + rest, history)

    def test_batches_resume_inside_a_batch(self) -> None:
        history = self.history()
        subscription = self.client.subscribe("beginning", max_events_per_message=100)
        first = self.read(subscription, limit=2)
        rest = self.read(subscription, until_caught_up=True)
        self.assertEqual((first, first + rest), (history[:2], history))

    def test_filter_and_checkpoints(self) -> None:
        subscription = self.client.subscribe(agreement_ids=[self.treaty],
                                             checkpoint_every_events=1)
        messages = support.bounded(
            lambda: list(subscription.messages(until_caught_up=True)), subscription.stop)
        kinds = [m.WhichOneof("kind") for m in messages]
        events = [m.event for m in messages if m.WhichOneof("kind") == "event"]
        self.assertEqual({e.envelope.stream_id for e in events}, {self.treaty})
        self.assertEqual([e.envelope.event_type for e in events],
                         ["agreement_recorded", "participant_signed", "participant_signed"])
        self.assertIn("checkpoint", kinds)
        self.assertEqual(kinds[-1], "caught_up")
        self.assertEqual(subscription.last_position, messages[-1].caught_up.position)

    def test_an_invalid_filter_is_an_answer_not_a_disconnect(self) -> None:
        subscription = self.client.subscribe(sectors=["no-such-sector"])
        with self.assertRaises(ac.InvalidArgumentError) as raised:
            self.read(subscription)
        self.assertIn("filter.sectors", raised.exception.message)

    def test_live_events_arrive_once_and_stop_ends_the_feed(self) -> None:
        subscription = self.client.subscribe("now")
        live, received = threading.Event(), []

        def consume() -> None:
            for message in subscription.messages():
                if message.WhichOneof("kind") == "caught_up":
                    live.set()
                elif message.WhichOneof("kind") == "event":
                    received.append(message.event.envelope.position)

        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        self.assertTrue(live.wait(support.WAIT_TIMEOUT), "no caught_up")
        written = [self.client.register_party(support.state_party(
            support.unique("py-live"), "KR")).result.last_position for _ in range(3)]
        support.wait_for(lambda: len(received) >= 3, "3 live events")
        subscription.stop()
        consumer.join(support.STOP_TIMEOUT)
        self.assertFalse(consumer.is_alive(), "stop() did not end the feed")
        self.assertEqual(received, written)

    def test_watch_sector_snapshot_then_changes_then_resume(self) -> None:
        watcher = self.client.watch_sector("energy")
        snapshot = support.bounded(
            lambda: list(watcher.messages(until_caught_up=True)), watcher.stop)
        rows = [m.update.agreement.id for m in snapshot if m.WhichOneof("kind") == "update"]
        self.assertEqual(rows, [a.id for a in self.client.list_agreements(sector="energy")])
        self.assertGreater(watcher.last_position, 0)

        extra = support.unique("py-energy")
        self.client.record_agreement(support.bilateral_treaty(extra, self.parties[1:]))

        def next_update() -> "v1.AgreementUpdate":
            for message in watcher.messages():
                if message.WhichOneof("kind") == "update":
                    return message.update
            raise AssertionError("the watch ended")

        update = support.bounded(next_update, watcher.stop)
        self.assertFalse(update.snapshot)  # resumed after the snapshot: no new one
        self.assertEqual((update.agreement.id, update.agreement.revision), (extra, 1))
        self.assertEqual(watcher.last_position, update.position)


class RestartTest(support.ServerTestCase):
    """A subscription that outlives its server."""

    def test_a_subscription_resumes_across_a_server_restart(self) -> None:
        before = [self.client.register_party(support.state_party(
            support.unique("py-before"), "KZ")).result.last_position for _ in range(3)]
        resumed: list[int] = []
        subscription = self.client.subscribe("beginning", resume=ac.ResumeOptions(
            initial_backoff=0.05, max_backoff=0.5,
            on_resume=lambda error, position, pause: resumed.append(position)))
        caught_up, received = threading.Event(), []

        def consume() -> None:
            for message in subscription.messages():
                if message.WhichOneof("kind") == "caught_up":
                    caught_up.set()
                elif message.WhichOneof("kind") == "event":
                    received.append(message.event.envelope.position)

        consumer = threading.Thread(target=consume, daemon=True)
        consumer.start()
        self.addCleanup(subscription.stop)
        self.assertTrue(caught_up.wait(support.WAIT_TIMEOUT), "no caught_up")
        self.assertEqual(received, before)

        self.restart_server()
        after = [self.client.register_party(support.state_party(
            support.unique("py-after"), "KR")).result.last_position for _ in range(3)]
        support.wait_for(lambda: len(received) >= 6, "the events after the restart")
        subscription.stop()
        consumer.join(support.STOP_TIMEOUT)
        self.assertEqual(received, before + after)
        self.assertEqual(received, list(range(1, 7)))
        self.assertIn(3, resumed)  # reopened after position 3, at least once

    def restart_server(self) -> None:
        """Stops the server and starts it again on the same address and data."""
        address = self.server.address
        self.server.stop()
        restarted = support.ServerProcess(self.server.data_dir, listen=address)
        self.addCleanup(restarted.stop)
        restarted.start()
        type(self).server = restarted
        self.client.wait_for_healthy(support.WAIT_TIMEOUT)


if __name__ == "__main__":
    unittest.main()
