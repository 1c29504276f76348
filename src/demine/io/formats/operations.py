"""Formats of activities, progress reports, land release outputs and items found."""

from __future__ import annotations

from demine.domain import vocabulary as v
from demine.io import checks
from demine.io.spec import Field, FieldType as T, GeometryRule, ImportFormat
from demine.store.tables.operations import activities, items_found, land_release_outputs, progress_reports

ACTIVITY_CODE = Field(
    "activity_code", T.REFERENCE, "Code of the activity.", required=True, references="activities", column="activity_id"
)
REPORT_CODE = Field(
    "progress_report_code",
    T.REFERENCE,
    "Code of the progress report it was reported in.",
    references="progress_reports",
    column="progress_report_id",
)

ACTIVITIES = ImportFormat(
    kind="activities",
    table=activities,
    title="Activities (tasks)",
    description="Non-technical survey, technical survey, clearance, battle area clearance and EOD spot tasks.",
    fields=(
        Field("activity_type", T.CODE, "NTS, TS, clearance, BAC or EOD spot task.", True, v.ActivityType),
        Field(
            "hazard_code",
            T.REFERENCE,
            "Hazard area worked (empty for an EOD spot task outside any hazard).",
            references="hazard_areas",
            column="hazard_area_id",
        ),
        Field(
            "organisation_code",
            T.REFERENCE,
            "Organisation tasked.",
            required=True,
            references="organisations",
            column="organisation_id",
        ),
        Field("team_code", T.REFERENCE, "Team tasked.", references="teams", column="team_id"),
        Field("method", T.CODE, "Lead method.", required=True, vocabulary=v.Method),
        Field("start_date", T.DATE, "First day of work.", required=True, not_in_future=True),
        Field("end_date", T.DATE, "Last day of work (empty while ongoing).", not_in_future=True),
        Field("status", T.CODE, "Planned, ongoing, suspended or completed.", True, v.ActivityStatus),
        Field("clearance_depth_cm", T.INTEGER, "Depth cleared to.", minimum=0, maximum=500, unit="cm"),
    ),
    geometry=GeometryRule.POINT,
    computed=("admin_area_id",),
    assign_admin_area=True,
    checks=(checks.end_not_before_start,),
)

PROGRESS = ImportFormat(
    kind="progress",
    table=progress_reports,
    title="Progress reports",
    description="What an activity's team worked in a period (usually a week); items found are reported apart.",
    fields=(
        ACTIVITY_CODE,
        Field("period_start", T.DATE, "First day of the period.", required=True, not_in_future=True),
        Field("period_end", T.DATE, "Last day of the period.", required=True, not_in_future=True),
        Field("area_worked_m2", T.NUMBER, "Area worked in the period.", required=True, minimum=0, unit="m²"),
        Field("working_days", T.INTEGER, "Days worked in the period.", required=True, minimum=0, maximum=31),
        Field("deminers", T.INTEGER, "Deminers, dog pairs or machines working.", minimum=1, maximum=500),
        Field("review_status", T.CODE, "Workflow state.", vocabulary=v.ReviewStatus, default="submitted"),
        Field("submitted_by", T.TEXT, "Team leader who submitted it."),
        Field("submitted_on", T.DATE, "Day the team sent it; reports sent after the due day are named in the data "
              "quality section. Empty: unknown, never counted as late.", not_in_future=True),
    ),
    checks=(checks.period_end_not_before_start, checks.productivity_within_capacity),
)

OUTPUTS = ImportFormat(
    kind="outputs",
    table=land_release_outputs,
    title="Land release outputs",
    description="Cancelled (by NTS), reduced (by TS) and cleared polygons; the area is computed from the polygon.",
    fields=(
        ACTIVITY_CODE,
        REPORT_CODE,
        Field("outcome", T.CODE, "Cancelled, reduced or cleared.", required=True, vocabulary=v.ReleaseOutcome),
        Field("release_date", T.DATE, "Date the land was released.", required=True, not_in_future=True),
        Field("declared_area_m2", T.NUMBER, "Area the report states; checked against the polygon.", minimum=0,
              unit="m²", stored=False),
        Field("clearance_depth_cm", T.INTEGER, "Depth cleared to (cleared land).", minimum=0, maximum=500, unit="cm"),
        Field("land_use_after", T.TEXT, "End use: residential, agricultural, transport, ..."),
    ),
    geometry=GeometryRule.AREA,
    computed=("area_m2",),
    checks=(checks.declared_area_matches_polygon, checks.output_within_hazard),
)

ITEMS = ImportFormat(
    kind="items",
    table=items_found,
    title="Items found",
    description="Every explosive item found: category, model, position, depth, condition and disposal.",
    fields=(
        ACTIVITY_CODE,
        REPORT_CODE,
        Field("category", T.CODE, "EO category.", required=True, vocabulary=v.EOCategory),
        Field("model", T.MODEL, "Model code from the ordnance catalogue (e.g. PMN-2, TM-62M)."),
        Field("found_date", T.DATE, "Date found.", required=True, not_in_future=True),
        Field("quantity", T.INTEGER, "Number of items (1 unless a lot of small arms ammunition).", minimum=1,
              maximum=100000, default="1"),
        Field("depth_cm", T.NUMBER, "Depth below the surface.", minimum=0, maximum=1000, unit="cm"),
        Field("condition", T.CODE, "Condition when found.", vocabulary=v.ItemCondition),
        Field("disposal", T.CODE, "How it was disposed of.", vocabulary=v.DisposalMethod),
    ),
    geometry=GeometryRule.POINT,
    key_description="Unique identifier of the item (e.g. task code and item number).",
    checks=(checks.model_matches_category,),
)
