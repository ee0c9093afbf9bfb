"""STS: RAM roles, trust policies and the temporary credentials of ``AssumeRole``."""

from localcloud.sts.models import Role, Session, SessionBook

__all__ = ["Role", "Session", "SessionBook"]
