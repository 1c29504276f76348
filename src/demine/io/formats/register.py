"""Formats of the gazetteer, organisations, teams, hazard areas and development projects."""

from __future__ import annotations

from demine.domain import vocabulary as v
from demine.io import checks
from demine.io.spec import Field, FieldType as T, GeometryRule, ImportFormat
from demine.store.tables.core import admin_areas, organisations, teams
from demine.store.tables.hazards import hazard_areas
from demine.store.tables.projects import development_projects

GAZETTEER = ImportFormat(
    kind="gazetteer",
    table=admin_areas,
    title="Administrative areas (gazetteer)",
    description="Boundaries of the country's administrative areas; geoBoundaries files load as they are.",
    key_aliases=("shapeid", "pcode", "adm2_pcode"),
    fields=(
        Field("name", T.TEXT, "Name as the programme writes it.", required=True, aliases=("shapename", "adm2_en")),
        Field("level", T.CODE, "Administrative level.", vocabulary=v.AdminLevel, default="district"),
        Field("parent_code", T.TEXT, "Code of the area this one lies in."),
        Field("country_code", T.TEXT, "ISO 3166-1 alpha-3 code.", required=True, aliases=("shapegroup", "shapeiso")),
        Field("reporting_order", T.INTEGER, "Position in the authority's statements; empty if not named.", minimum=1),
        Field("source", T.TEXT, "Provenance and licence of the boundary."),
    ),
    geometry=GeometryRule.AREA,
    computed=("area_m2",),
    checks=(),
)

ORGANISATIONS = ImportFormat(
    kind="organisations",
    table=organisations,
    title="Organisations",
    description="National authority, operators (national, commercial, NGO), military and UN agencies.",
    fields=(
        Field("name", T.TEXT, "Full name.", required=True),
        Field("organisation_type", T.CODE, "Kind of organisation.", required=True, vocabulary=v.OrganisationType),
        Field("country_code", T.TEXT, "ISO 3166-1 alpha-3 code of the country it works in."),
        Field("accredited", T.BOOLEAN, "Accredited by the national authority.", default="true"),
    ),
)

TEAMS = ImportFormat(
    kind="teams",
    table=teams,
    title="Teams",
    description="Survey, clearance and EOD teams with their method and size.",
    fields=(
        Field(
            "organisation_code",
            T.REFERENCE,
            "Code of the organisation the team belongs to.",
            required=True,
            references="organisations",
            column="organisation_id",
        ),
        Field("name", T.TEXT, "Team name or call sign.", required=True),
        Field("method", T.CODE, "Lead method of the team.", required=True, vocabulary=v.Method),
        Field("members", T.INTEGER, "Deminers, dog pairs or machines working.", required=True, minimum=1, maximum=500),
        Field("base_name", T.TEXT, "Base the team works from."),
        Field("base_longitude", T.NUMBER, "Base longitude (WGS84).", minimum=-180, maximum=180),
        Field("base_latitude", T.NUMBER, "Base latitude (WGS84).", minimum=-90, maximum=90),
        Field("active_from", T.DATE, "Date the team started work."),
    ),
)

HAZARDS = ImportFormat(
    kind="hazards",
    table=hazard_areas,
    title="Hazard areas (SHA and CHA)",
    description="Suspected and confirmed hazardous areas with their perimeter polygon and benchmark point.",
    fields=(
        Field("name", T.TEXT, "Local name of the area."),
        Field("hazard_class", T.CODE, "SHA (indirect evidence) or CHA (direct evidence).", True, v.HazardClass),
        Field("hazard_type", T.CODE, "Minefield, battle area, cluster strike or EOD spot.", True, v.HazardType),
        Field("work_status", T.CODE, "Open, worked on or closed.", vocabulary=v.WorkStatus, default="open"),
        Field("reported_date", T.DATE, "Date the hazard was first reported.", required=True, not_in_future=True),
        Field(
            "reporting_organisation_code",
            T.REFERENCE,
            "Organisation that surveyed the area.",
            references="organisations",
            column="reporting_organisation_id",
        ),
        Field("benchmark_longitude", T.NUMBER, "Benchmark point longitude.", True, minimum=-180, maximum=180),
        Field("benchmark_latitude", T.NUMBER, "Benchmark point latitude.", True, minimum=-90, maximum=90),
        Field("suspected_categories", T.CODES, "EO categories suspected, comma-separated.", vocabulary=v.EOCategory),
        Field("confirmed_categories", T.CODES, "EO categories confirmed, comma-separated.", vocabulary=v.EOCategory),
        Field("evidence_type", T.CODE, "Kind of the main evidence.", vocabulary=v.EvidenceType),
        Field("evidence_description", T.TEXT, "What the evidence is."),
        Field("evidence_longitude", T.NUMBER, "Where the evidence is (longitude).", minimum=-180, maximum=180),
        Field("evidence_latitude", T.NUMBER, "Where the evidence is (latitude).", minimum=-90, maximum=90),
        Field("expected_beneficiaries", T.INTEGER, "People expected to benefit from release.", minimum=0),
        Field("land_use", T.TEXT, "Intended use after release (agricultural, residential, ...)."),
    ),
    geometry=GeometryRule.AREA,
    computed=("area_m2", "admin_area_id"),
    assign_admin_area=True,
    checks=(checks.benchmark_near_perimeter, checks.cha_needs_evidence),
)

PROJECTS = ImportFormat(
    kind="projects",
    table=development_projects,
    title="Planned development projects",
    description="Roads, power lines, solar and wind farms, resettlement villages and farmland that clearance unblocks.",
    fields=(
        Field("name", T.TEXT, "Project name.", required=True),
        Field("project_type", T.CODE, "Kind of project.", required=True, vocabulary=v.ProjectType),
        Field("sponsor", T.TEXT, "Ministry, company or donor."),
        Field("funding_usd", T.NUMBER, "Funding in US dollars.", minimum=0, unit="USD"),
        Field("funded", T.BOOLEAN, "Funding secured.", default="false"),
        Field("ready_date", T.DATE, "Date the project is ready to start once the land is released."),
        Field("deadline", T.DATE, "Date the land must be released by."),
        Field("beneficiaries", T.INTEGER, "People who benefit.", minimum=0),
        Field("description", T.TEXT, "What the project is."),
    ),
    geometry=GeometryRule.ANY,
    computed=("admin_area_id",),
    assign_admin_area=True,
)
