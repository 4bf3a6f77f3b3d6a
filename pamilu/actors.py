"""Who acts in a service call, and through which channel.

Every service takes `by: Actor` and `channel: ChannelName`, both required and by keyword.
An actor is a signed-in user, or a named system actor when no person acts (a Celery task,
the demo loader, the national test bed's generator, a command-line import): the audit
trail records the system actor's name, so an entry always says who acted.
A system actor holds every right (pamilu.scoping): it only runs the project's own code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, TypeAlias

if TYPE_CHECKING:  # accounts sits above the kernel; the alias is for type checking only
    from accounts.models import User


@dataclass(frozen=True)
class SystemActor:
    """A part of the system acting on its own, named in the audit trail."""

    name: str

    # What scoping and the audit ask of an actor; a system actor is not a signed-in user.
    is_authenticated = False
    is_superuser = False

    def __str__(self) -> str:
        return self.name

    def get_username(self) -> str:
        return self.name


TASKS = SystemActor("sistem:tugas-latar")  # Celery tasks (summaries, reminders, retention)
IMPORT = SystemActor("sistem:impor")  # imports run from the command line or a script
DEMO = SystemActor("sistem:demo")  # the demo data loader (demo/)
TESTBED = SystemActor("sistem:testbed")  # the national test bed generator (testbed/)
SYSTEM = SystemActor("sistem")  # anything else the system does by itself (e.g. a migration)

Actor: TypeAlias = "User | SystemActor"

# The channels a write arrives through (audit.models.Channel holds the same values).
ChannelName = Literal["web", "api", "admin", "import", "system"]
CHANNELS: tuple[ChannelName, ...] = ("web", "api", "admin", "import", "system")


def is_system(actor: object) -> bool:
    return isinstance(actor, SystemActor)


def user_of(actor: Actor) -> User | None:
    """The signed-in user behind `actor`, or None for a system actor (for a `created_by`)."""
    if isinstance(actor, SystemActor) or not actor.is_authenticated:
        return None
    return actor
