from __future__ import annotations

import factory
from django.utils import timezone

from zqt.accounts.enums import OrgLevel, Role
from zqt.accounts.models import ApiToken, Department, OrgUnit, User
from zqt.accounts.selectors import hash_token


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit
        django_get_or_create = ("code",)

    code = "330802"
    name = "柯城区"
    level = OrgLevel.COUNTY


def province() -> OrgUnit:
    return OrgUnitFactory(code="330000", name="浙江省", level=OrgLevel.PROVINCE)


def city(code: str = "330800", name: str = "衢州市") -> OrgUnit:
    return OrgUnitFactory(code=code, name=name, level=OrgLevel.CITY, parent=province())


def county(code: str = "330802", name: str = "柯城区", city_code: str = "330800") -> OrgUnit:
    parent = city(city_code, {"330800": "衢州市", "330100": "杭州市"}.get(city_code, "某市"))
    return OrgUnitFactory(code=code, name=name, level=OrgLevel.COUNTY, parent=parent)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department

    code = factory.Sequence(lambda n: f"dept{n}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    org_unit = factory.LazyFunction(county)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.FRONT_DESK
    org_unit = factory.LazyFunction(county)
    password = factory.django.Password("Zqt-test-pass-2026")


def staff(role: str = Role.FRONT_DESK, org_unit: OrgUnit | None = None, **kw: object) -> User:
    return UserFactory(role=role, org_unit=org_unit or county(), **kw)


def api_token(user: User, token: str = "test-token-0123456789") -> str:
    ApiToken.objects.create(
        name="测试系统",
        user=user,
        prefix=token[:8],
        token_hash=hash_token(token),
        expires_at=timezone.now() + timezone.timedelta(days=1),
    )
    return token


def totp_device(user: User, *, confirmed: bool = True):  # type: ignore[no-untyped-def]
    """A TOTP device for a staff user (codes: django_otp.oath.totp(device.bin_key))."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    return TOTPDevice.objects.create(user=user, name="测试验证器", confirmed=confirmed)


def totp_code(device) -> str:  # type: ignore[no-untyped-def]
    from django_otp.oath import totp

    return f"{totp(device.bin_key):06d}"


def login_verified(client, user: User):  # type: ignore[no-untyped-def]
    """Sign a user in on the test client; staff also get a passed second factor (OTP)."""
    client.force_login(user)
    if user.is_government_staff:
        device = totp_device(user)
        session = client.session
        session["otp_device_id"] = device.persistent_id
        session.save()
    return client
