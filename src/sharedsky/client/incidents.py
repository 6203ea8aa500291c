"""SDK calls of incidents and of the periodic review's published reports, as ``Client``
methods."""

from __future__ import annotations

from sharedsky.client.transport import Transport, segment
from sharedsky.wire import v1


class IncidentsMixin:
    """Incident and report calls as methods, for ``class Client(IncidentsMixin, …)``."""

    _transport: Transport
    """Set by the class that mixes this in (``Client``)."""

    def file_incident(
        self, incident: v1.IncidentIn, idempotency_key: str | None = None
    ) -> v1.IncidentOut:
        """File an incident; the other parties concerned owe an acknowledgement."""
        return self._transport.post(v1.IncidentOut, "/v1/incidents", incident, idempotency_key)

    def list_incidents(self) -> list[v1.IncidentOut]:
        """The incidents the caller filed or is party to (the host: all), newest first."""
        return self._transport.call(v1.IncidentList, "GET", "/v1/incidents").incidents

    def get_incident(self, incident_id: str) -> v1.IncidentOut:
        """One incident (NotFoundError unless the caller filed it or is party to it)."""
        path = f"/v1/incidents/{segment(incident_id)}"
        return self._transport.call(v1.IncidentOut, "GET", path)

    def ack_incident(self, incident_id: str, idempotency_key: str | None = None) -> v1.AckOut:
        """Acknowledge an incident the caller's party is asked to acknowledge."""
        path = f"/v1/incidents/{segment(incident_id)}/ack"
        return self._transport.post(v1.AckOut, path, None, idempotency_key)

    def publish_report(
        self, report: v1.ReportIn, idempotency_key: str | None = None
    ) -> v1.ReportOut:
        """The host publishes a review report: the server signs its hash and records it."""
        return self._transport.post(v1.ReportOut, "/v1/reports", report, idempotency_key)
