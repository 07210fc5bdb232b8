"""Who works where: regions, departments, posts, users and their roles."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from engine.store.base import Base

# drafter: a department's catalog clerk (目录管理); legal: the legal office (法制办)
ROLES = ("staff", "drafter", "legal", "supervisor", "admin")


class Region(Base):
    __tablename__ = "regions"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("regions.id"))


class Department(Base):
    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    region_id: Mapped[int] = mapped_column(ForeignKey("regions.id"))
    #: The prefix of its legal documents' numbers (示范市监管 → 示范市监管许字〔2026〕第 15 号); the name when unset.
    document_prefix: Mapped[str | None] = mapped_column(String(40))

    region: Mapped[Region] = relationship()
    posts: Mapped[list[Post]] = relationship(back_populates="department", order_by="Post.id")


class Post(Base):
    """A position in a department (受理, 承办, 审核, 批准…); BPMN lanes name posts."""

    __tablename__ = "posts"
    __table_args__ = (UniqueConstraint("department_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    name: Mapped[str] = mapped_column(String(50))

    department: Mapped[Department] = relationship(back_populates="posts")


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(50), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]

    memberships: Mapped[list[Membership]] = relationship(back_populates="user")
    roles: Mapped[list[UserRole]] = relationship(back_populates="user")

    @property
    def role_names(self) -> set[str]:
        return {r.role for r in self.roles}

    def has_role(self, *roles: str) -> bool:
        return bool(self.role_names & set(roles))


class UserRole(Base):
    __tablename__ = "user_roles"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class Membership(Base):
    """A user holds a post in a department."""

    __tablename__ = "memberships"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id"), primary_key=True, index=True)

    user: Mapped[User] = relationship(back_populates="memberships")
    post: Mapped[Post] = relationship()
