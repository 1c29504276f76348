"""Formats of incidents and accidents, victims, risk education sessions and survivor assistance."""

from __future__ import annotations

from demine.domain import vocabulary as v
from demine.io import checks
from demine.io.spec import Field, FieldType as T, GeometryRule, ImportFormat
from demine.store.tables.people import eore_sessions, incidents, survivor_assistance, victims

INCIDENTS = ImportFormat(
    kind="incidents",
    table=incidents,
    title="Incidents and accidents",
    description="Civilian incidents and demining accidents, with their casualty counts (victims are recorded apart).",
    fields=(
        Field("kind", T.CODE, "Demining accident or civilian incident.", required=True, vocabulary=v.IncidentKind),
        Field("incident_date", T.DATE, "Date of the event.", required=True, not_in_future=True),
        Field("category", T.CODE, "EO category that caused it.", required=True, vocabulary=v.EOCategory),
        Field("model", T.MODEL, "Model, if known."),
        Field("activity_of_people", T.CODE, "What the people were doing.", True, v.VictimActivity),
        Field("activity_code", T.REFERENCE, "Demining activity (accidents only).", references="activities",
              column="activity_id"),
        Field("killed", T.INTEGER, "People killed.", required=True, minimum=0, maximum=1000),
        Field("injured", T.INTEGER, "People injured.", required=True, minimum=0, maximum=1000),
        Field("description", T.TEXT, "What happened."),
    ),
    geometry=GeometryRule.POINT,
    computed=("admin_area_id",),
    assign_admin_area=True,
    checks=(checks.model_matches_category,),
)

VICTIMS = ImportFormat(
    kind="victims",
    table=victims,
    title="Victims (protected personal data)",
    description="One row per person killed or injured. Personal data: shown only to roles allowed to see it.",
    fields=(
        Field("incident_code", T.REFERENCE, "Incident.", required=True, references="incidents", column="incident_id"),
        Field("full_name", T.TEXT, "Name."),
        Field("sex", T.CODE, "Sex.", required=True, vocabulary=v.Sex),
        Field("date_of_birth", T.DATE, "Date of birth.", not_in_future=True),
        Field("age_years", T.INTEGER, "Age at the time of the incident.", minimum=0, maximum=120),
        Field("age_group", T.CODE, "Age group (derived from the age when empty).", vocabulary=v.AgeGroup),
        Field("address", T.TEXT, "Home address."),
        Field("outcome", T.CODE, "Killed or injured.", required=True, vocabulary=v.CasualtyOutcome),
        Field("activity", T.CODE, "What the person was doing.", required=True, vocabulary=v.VictimActivity),
    ),
    checks=(checks.derive_age_group,),
)

EORE = ImportFormat(
    kind="eore",
    table=eore_sessions,
    title="Explosive ordnance risk education sessions",
    description="Sessions held, with beneficiaries by sex and age group.",
    fields=(
        Field("session_date", T.DATE, "Date held.", required=True, not_in_future=True),
        Field("organisation_code", T.REFERENCE, "Organisation that delivered it.", required=True,
              references="organisations", column="organisation_id"),
        Field("delivery_method", T.CODE, "How it was delivered.", required=True, vocabulary=v.EOREDelivery),
        Field("location_name", T.TEXT, "Village, school or place."),
        Field("girls", T.INTEGER, "Girls (under 18).", minimum=0, maximum=100000, default="0"),
        Field("boys", T.INTEGER, "Boys (under 18).", minimum=0, maximum=100000, default="0"),
        Field("women", T.INTEGER, "Women (18-59).", minimum=0, maximum=100000, default="0"),
        Field("men", T.INTEGER, "Men (18-59).", minimum=0, maximum=100000, default="0"),
        Field("elderly_women", T.INTEGER, "Women 60 and over.", minimum=0, maximum=100000, default="0"),
        Field("elderly_men", T.INTEGER, "Men 60 and over.", minimum=0, maximum=100000, default="0"),
    ),
    geometry=GeometryRule.POINT,
    computed=("admin_area_id",),
    assign_admin_area=True,
    checks=(checks.eore_has_beneficiaries,),
)

ASSISTANCE = ImportFormat(
    kind="assistance",
    table=survivor_assistance,
    title="Survivor assistance",
    description="Services a survivor received.",
    fields=(
        Field("victim_code", T.REFERENCE, "Victim.", required=True, references="victims", column="victim_id"),
        Field("assistance_type", T.CODE, "Service.", required=True, vocabulary=v.AssistanceType),
        Field("provided_date", T.DATE, "Date provided.", required=True, not_in_future=True),
        Field("provider_organisation_code", T.REFERENCE, "Provider.", references="organisations",
              column="provider_organisation_id"),
        Field("notes", T.TEXT, "Notes."),
    ),
)
