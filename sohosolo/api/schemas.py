from ninja import Field, Schema


class TerritoryOut(Schema):
    slug: str
    name: str
    description: str
    languages: list[str]
    default_language: str
    time_zone: str
    yearly_goal_families: int
    is_sample: bool = Field(description="True when this territory's settings are sample data.")


class CommuneOut(Schema):
    country: str
    code: str = Field(description="Official code (INSEE in France).")
    name: str
    territory: str | None = Field(None, alias="territory.slug")
    departement: str
    postcodes: list[str]
    population: int | None
    epci_code: str
    epci_name: str
    lat: float
    lon: float
    area_km2: float | None


class TownHallOut(Schema):
    address: str
    lat: float | None
    lon: float | None
    phone: str
    email: str
    website: str
    opening_hours: list


class CommuneDetailOut(CommuneOut):
    boundary: dict | None = Field(description="GeoJSON geometry, simplified to about 80 m.")
    townhall: TownHallOut


class CommuneFilters(Schema):
    territory: str | None = Field(None, description="Territory slug, e.g. gers.", max_length=50)
    postcode: str | None = Field(None, pattern=r"^[0-9]{5}$")
    name: str | None = Field(
        None, min_length=1, max_length=100, description="Accent-insensitive name search."
    )
    page: int = Field(1, ge=1, le=100000)
    page_size: int = Field(20, ge=1, le=100)


class CommunePage(Schema):
    count: int
    page: int
    page_size: int
    next: str | None
    previous: str | None
    items: list[CommuneOut]


class ErrorOut(Schema):
    detail: str | list


class RoleOut(Schema):
    territory: str
    role: str


class MeOut(Schema):
    email: str
    roles: list[RoleOut]
    territory: str | None
    permissions: dict[str, bool] = Field(description="Rules evaluated for the territory of the request.")
