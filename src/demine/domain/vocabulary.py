"""Controlled vocabularies of mine action (IMAS 04.10 glossary, IMAS 07.11 land release, GICHD minimum data).

Each vocabulary is a `StrEnum` so that the stored value, the value in an import file and the value in the API are the
same lower-case code. Labels for people live in the translation catalogue, not here.
"""

from __future__ import annotations

from enum import StrEnum


class EOCategory(StrEnum):
    """Explosive ordnance categories as weekly statements and IMSMA count them."""

    AP_MINE = "ap_mine"
    AT_MINE = "at_mine"
    UXO = "uxo"
    AXO = "axo"
    SUBMUNITION = "submunition"
    IED = "ied"
    BOOBY_TRAP = "booby_trap"
    OTHER = "other"


class HazardClass(StrEnum):
    """Land classification: a suspicion moves from indication to SHA to CHA as evidence grows."""

    SHA = "sha"
    CHA = "cha"


class HazardType(StrEnum):
    MINEFIELD = "minefield"
    BATTLE_AREA = "battle_area"
    CLUSTER_STRIKE = "cluster_strike"
    EOD_SPOT = "eod_spot"


class WorkStatus(StrEnum):
    """Work status of a hazard area (IMAS TN 07.11/01 outlines: open red, worked on orange, closed green)."""

    OPEN = "open"
    WORKED_ON = "worked_on"
    CLOSED = "closed"


class EvidenceType(StrEnum):
    ACCIDENT = "accident"
    INCIDENT = "incident"
    VISIBLE_ITEM = "visible_item"
    MINEFIELD_RECORD = "minefield_record"
    WITNESS_STATEMENT = "witness_statement"
    MARKING = "marking"
    MILITARY_POSITION = "military_position"
    OTHER = "other"


class ActivityType(StrEnum):
    NTS = "nts"
    TS = "ts"
    CLEARANCE = "clearance"
    BAC = "bac"
    EOD_SPOT_TASK = "eod_spot_task"


class Method(StrEnum):
    """Demining assets; a task may combine them (stored as the lead method)."""

    MANUAL = "manual"
    MECHANICAL = "mechanical"
    DOGS = "dogs"
    SURVEY = "survey"  # non-technical survey team: no ground asset


class ActivityStatus(StrEnum):
    PLANNED = "planned"
    ONGOING = "ongoing"
    SUSPENDED = "suspended"
    COMPLETED = "completed"


class ReviewStatus(StrEnum):
    """Submission workflow: only approved data counts in official figures."""

    SAVED = "saved"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    REJECTED = "rejected"


class ReleaseOutcome(StrEnum):
    """How land leaves the register (IMAS 07.11)."""

    CANCELLED = "cancelled"  # by non-technical survey
    REDUCED = "reduced"  # by technical survey
    CLEARED = "cleared"  # all EO removed to the specified depth


class ItemCondition(StrEnum):
    ARMED = "armed"
    UNARMED = "unarmed"
    DAMAGED = "damaged"
    DETERIORATED = "deteriorated"
    UNKNOWN = "unknown"


class DisposalMethod(StrEnum):
    DESTROYED_IN_SITU = "destroyed_in_situ"
    MOVED_AND_DESTROYED = "moved_and_destroyed"
    RENDERED_SAFE = "rendered_safe"
    HANDED_OVER = "handed_over"


class EmplacementMethod(StrEnum):
    HAND_LAID = "hand_laid"
    MECHANICALLY_LAID = "mechanically_laid"
    REMOTELY_DELIVERED = "remotely_delivered"


class MinefieldPattern(StrEnum):
    ROWS = "rows"
    INDIVIDUAL = "individual"
    NUISANCE = "nuisance"
    REMOTELY_DELIVERED = "remotely_delivered"


class IncidentKind(StrEnum):
    """An accident happens at a demining workplace; an incident is a civilian event away from one."""

    DEMINING_ACCIDENT = "demining_accident"
    CIVILIAN_INCIDENT = "civilian_incident"


class VictimActivity(StrEnum):
    """What the people involved were doing (GICHD minimum data)."""

    FARMING = "farming"
    HERDING = "herding"
    RETURNING_HOME = "returning_home"
    SCRAP_COLLECTION = "scrap_collection"
    TRAVELLING = "travelling"
    PLAYING = "playing"
    FORESTRY = "forestry"
    DEMINING = "demining"
    CONSTRUCTION = "construction"
    MILITARY = "military"
    OTHER = "other"
    UNKNOWN = "unknown"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"
    UNKNOWN = "unknown"


class AgeGroup(StrEnum):
    """Age groups used for disaggregation of casualties and EORE beneficiaries."""

    CHILD = "child"  # under 18
    ADULT = "adult"  # 18-59
    ELDERLY = "elderly"  # 60 and over
    UNKNOWN = "unknown"


class CasualtyOutcome(StrEnum):
    KILLED = "killed"
    INJURED = "injured"


class EOREDelivery(StrEnum):
    FACE_TO_FACE = "face_to_face"
    SCHOOL = "school"
    MASS_MEDIA = "mass_media"
    DIGITAL = "digital"
    PRINTED_MATERIAL = "printed_material"


class AssistanceType(StrEnum):
    EMERGENCY_MEDICAL = "emergency_medical"
    CONTINUING_MEDICAL = "continuing_medical"
    REHABILITATION = "rehabilitation"
    PROSTHETICS = "prosthetics"
    PSYCHOSOCIAL = "psychosocial"
    ECONOMIC_INCLUSION = "economic_inclusion"
    EDUCATION = "education"


class ProjectType(StrEnum):
    ROAD = "road"
    RAILWAY = "railway"
    POWER_LINE = "power_line"
    SOLAR_FARM = "solar_farm"
    WIND_FARM = "wind_farm"
    RESETTLEMENT_VILLAGE = "resettlement_village"
    FARMLAND = "farmland"
    IRRIGATION = "irrigation"
    OTHER = "other"


class OrganisationType(StrEnum):
    NATIONAL_AUTHORITY = "national_authority"
    NATIONAL_OPERATOR = "national_operator"
    COMMERCIAL_OPERATOR = "commercial_operator"
    NGO = "ngo"
    MILITARY = "military"
    UN_AGENCY = "un_agency"
    OTHER = "other"


class AdminLevel(StrEnum):
    COUNTRY = "country"
    REGION = "region"
    DISTRICT = "district"
    MUNICIPALITY = "municipality"
    SETTLEMENT = "settlement"


def codes(vocabulary: type[StrEnum]) -> list[str]:
    """The stored codes of a vocabulary, in declaration order."""
    return [member.value for member in vocabulary]
