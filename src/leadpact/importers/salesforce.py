"""Salesforce leads as leadpact events (DESIGN.md §12): a Lead export, by its API field names (Data Loader,
Data Export) or by the labels of a Lead report ("Lead ID", "Lead Source", "Create Date", ...).

A lead is `sf-<Id>`; `CreatedDate` makes its `lead.created`, `LeadSource` its source, `OwnerId` (or the
report's owner name) an `assignment`; `ConvertedDate` is its SQL instant (a converted lead was qualified by
sales), carrying `ConvertedOpportunityId`. `Status` and `IsConverted` are kept as attributes and decide
nothing.
"""

from __future__ import annotations

from leadpact.importers import records

#: column header (lower case) -> canonical field
HEADERS = {
    # the API names of the Lead object
    "id": "record_id",
    "email": "email",
    "firstname": "first_name",
    "lastname": "last_name",
    "company": "company",
    "title": "title",
    "industry": "industry",
    "numberofemployees": "employees",
    "annualrevenue": "annual_revenue",
    "country": "country",
    "state": "region",
    "leadsource": "source",
    "status": "lead_status",
    "ownerid": "owner",
    "createddate": "created_at",
    "isconverted": "converted",
    "converteddate": "sql_at",
    "convertedopportunityid": "opportunity_id",
    # the labels of a Lead report
    "lead id": "record_id",
    "first name": "first_name",
    "last name": "last_name",
    "employees": "employees",
    "no. of employees": "employees",
    "annual revenue": "annual_revenue",
    "state/province": "region",
    "lead source": "source",
    "lead status": "lead_status",
    "lead owner": "owner",
    "owner": "owner",
    "create date": "created_at",
    "created date": "created_at",
    "converted": "converted",
    "converted date": "sql_at",
    "converted opportunity id": "opportunity_id",
}

#: a Task export's headers (API names, then a report's labels) -> canonical field
TASK_HEADERS = {
    "id": "record_id",
    "whoid": "who",
    "ownerid": "owner",
    "type": "channel",
    "tasksubtype": "channel",
    "status": "task_status",
    "activitydate": "due_date",
    "completeddatetime": "done_at",
    "calldisposition": "outcome",
    "subject": "note",
    "activity id": "record_id",
    "task id": "record_id",
    "name id": "who",
    "lead id": "who",
    "assigned": "owner",
    "assigned to": "owner",
    "task subtype": "channel",
    "date": "due_date",
    "due date": "due_date",
    "completed date/time": "done_at",
    "call result": "outcome",
}

#: an Opportunity export's headers -> canonical field
OPPORTUNITY_HEADERS = {
    "id": "record_id",
    "amount": "amount",
    "stagename": "deal_stage",
    "isclosed": "closed",
    "iswon": "won",
    "closedate": "close_date",
    "createddate": "created_at",
    "leadsource": "source",
    "ownerid": "owner",
    "opportunity id": "record_id",
    "stage": "deal_stage",
    "closed": "closed",
    "won": "won",
    "close date": "close_date",
    "created date": "created_at",
    "lead source": "source",
    "opportunity owner": "owner",
    "product": "product",
}

DOOR = records.Door(
    "Salesforce",
    "sf-",
    {
        "lead_status": "salesforce_status",
        "converted": "salesforce_converted",
        "lifecycle_stage": "salesforce_stage",
    },
)
