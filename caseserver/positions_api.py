"""Routes of crew positions: opt-in sharing per device, scoped to the crew's supervisors.

A crew device shares nothing until its user turns sharing on (on the device, in Settings).
The device then tells the server at its next sync (`PUT /position-sharing`, recorded in the
audit of sharing with the device's time of the change) and sends its last fix with each sync
(`POST /position`). Turning it off removes the stored position at once. Supervisors see the
last position of their crews' sharing devices (`GET /crew-positions`), admins every crew's;
crews see none. Admins read the audit (`GET /position-sharing/log`).
"""

from collections.abc import Callable
from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException, Response
from pydantic import BaseModel
from sqlalchemy import delete, select

from caseserver.auth import Caller
from caseserver.db import Database
from caseserver.errordocs import error_responses
from caseserver.models import Crew, Device, DevicePosition, SharingChange, User, utcnow
from sync.wire import API_PREFIX, CrewPositionDoc, PositionReport, PositionSharing

#: A fix this far ahead of the server's clock is refused (a device clock far off).
FUTURE_SLACK = timedelta(minutes=10)


class SharingChangeDoc(BaseModel):
    device: str
    user: str
    enabled: bool
    device_time: str | None
    at: str


def positions_router(database: Database, caller: Callable[..., Caller]) -> APIRouter:
    router = APIRouter(tags=["crew positions"])
    CallerDep = Annotated[Caller, Depends(caller)]

    def own_device(caller_: Caller) -> str:
        if caller_.device_id is None:
            raise HTTPException(403, "only a signed-in device shares a position")
        return caller_.device_id

    @router.put(
        f"{API_PREFIX}/position-sharing",
        status_code=204,
        summary="Turn this device's position sharing on or off (recorded in the audit)",
        responses=error_responses(403),
    )
    def put_sharing(body: PositionSharing, caller_: CallerDep) -> Response:
        device_id = own_device(caller_)
        with database.write() as session:
            device = session.get(Device, device_id)
            if device is None:
                raise HTTPException(403, "this device is not signed in")
            if device.shares_position != body.enabled:
                device.shares_position = body.enabled
                session.add(
                    SharingChange(
                        device_id=device_id,
                        user_id=caller_.user_id,
                        enabled=body.enabled,
                        device_time=body.changed_at,
                    )
                )
            if not body.enabled:
                session.execute(delete(DevicePosition).where(DevicePosition.device_id == device_id))
        return Response(status_code=204)

    @router.post(
        f"{API_PREFIX}/position",
        status_code=204,
        summary="This crew device's last position (only while it shares it)",
        responses=error_responses(403, 409, 422),
    )
    def post_position(body: PositionReport, caller_: CallerDep) -> Response:
        device_id = own_device(caller_)
        if caller_.crew_id is None:
            raise HTTPException(403, "only crew devices share their position")
        if body.fixed_at > utcnow() + FUTURE_SLACK:
            raise HTTPException(422, "fixed_at is in the future: check the device's clock")
        with database.write() as session:
            device = session.get(Device, device_id)
            if device is None or not device.shares_position:
                raise HTTPException(409, "position sharing is off on this device: turn it on first")
            row = session.get(DevicePosition, device_id)
            if row is not None and row.fixed_at >= body.fixed_at:
                return Response(status_code=204)  # an older fix than the one kept
            values = dict(lat=body.lat, lon=body.lon, accuracy_m=body.accuracy_m, fixed_at=body.fixed_at)
            if row is None:
                session.add(
                    DevicePosition(
                        device_id=device_id, user_id=caller_.user_id, crew_id=caller_.crew_id, **values
                    )
                )
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                row.crew_id, row.received_at = caller_.crew_id, utcnow()
        return Response(status_code=204)

    @router.get(
        f"{API_PREFIX}/crew-positions",
        response_model=list[CrewPositionDoc],
        summary="The last shared position of each sharing device of the caller's crews",
        responses=error_responses(403),
    )
    def get_positions(caller_: CallerDep) -> list[CrewPositionDoc]:
        if caller_.role == "crew":
            raise HTTPException(403, "crews do not see positions; supervisors see their crews'")
        with database.read() as session:
            rows = session.execute(
                select(DevicePosition, Crew.code, User.username)
                .join(Crew, Crew.id == DevicePosition.crew_id)
                .join(User, User.id == DevicePosition.user_id)
                .join(Device, Device.id == DevicePosition.device_id)
                .where(Device.shares_position.is_(True), Device.revoked_at.is_(None))
                .order_by(Crew.code, User.username)
            ).all()
            return [
                CrewPositionDoc(
                    crew=code,
                    user=username,
                    device=row.device_id,
                    lat=row.lat,
                    lon=row.lon,
                    accuracy_m=row.accuracy_m,
                    fixed_at=row.fixed_at,
                )
                for row, code, username in rows
                if caller_.sees_crew(row.crew_id)
            ]

    @router.get(
        f"{API_PREFIX}/position-sharing/log",
        response_model=list[SharingChangeDoc],
        summary="The audit of position sharing: who turned it on or off, when (admin)",
        responses=error_responses(403),
    )
    def get_log(caller_: CallerDep) -> list[SharingChangeDoc]:
        if caller_.role != "admin":
            raise HTTPException(403, "only an admin reads the audit of position sharing")
        with database.read() as session:
            rows = session.execute(
                select(SharingChange, User.username)
                .join(User, User.id == SharingChange.user_id)
                .order_by(SharingChange.id)
            ).all()
            return [
                SharingChangeDoc(
                    device=change.device_id,
                    user=username,
                    enabled=change.enabled,
                    device_time=change.device_time.isoformat() if change.device_time else None,
                    at=change.at.isoformat(),
                )
                for change, username in rows
            ]

    return router
