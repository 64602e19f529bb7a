"""Roles, the region levels each may work at, and which roles exclude all others."""

from django.db import models

from anju.regions.models import Level


class Role(models.TextChoices):
    TOWNSHIP_CLERK = "township_clerk", "乡镇经办员"
    COUNTY_CLERK = "county_clerk", "区县经办员"
    COUNTY_REVIEWER = "county_reviewer", "区县审核人"
    CITY_OFFICE = "city_office", "市级管理员"
    DISCIPLINE = "discipline", "纪检监察"
    DATA_PROVIDER = "data_provider", "部门数据员"
    # 部门经办员 of a participating unit (民政, 财政 …): signs for and answers the clues
    # transferred to the unit, files its quarterly clue report, keeps its directory entry.
    DEPARTMENT = "department", "部门经办员"
    # 挂钩帮扶责任人 (seed 003, 动态监测机制): sees only the households assigned to them.
    CADRE = "cadre", "帮扶责任人"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


ROLE_LEVELS: dict[str, set[int]] = {
    Role.TOWNSHIP_CLERK: {Level.TOWNSHIP},
    Role.COUNTY_CLERK: {Level.COUNTY},
    Role.COUNTY_REVIEWER: {Level.COUNTY},
    Role.CITY_OFFICE: {Level.CITY, Level.PROVINCE},
    Role.DISCIPLINE: {Level.COUNTY, Level.CITY, Level.PROVINCE},
    Role.DATA_PROVIDER: {Level.COUNTY, Level.CITY, Level.PROVINCE},
    Role.DEPARTMENT: {Level.COUNTY, Level.CITY, Level.PROVINCE},
    Role.CADRE: {Level.TOWNSHIP, Level.VILLAGE},
    Role.SYSTEM_ADMIN: {Level.COUNTY, Level.CITY, Level.PROVINCE},
    Role.SECURITY_ADMIN: {Level.COUNTY, Level.CITY, Level.PROVINCE},
    Role.AUDIT_ADMIN: {Level.COUNTY, Level.CITY, Level.PROVINCE},
}

# MLPS level 3 keeps the three administrators apart from each other and from business work:
# a user holding one of these holds no other role.
ADMIN_ROLES = frozenset({Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN})
