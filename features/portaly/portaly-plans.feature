@portaly
Feature: Portaly plans
  Plans belong to a profile. A fixed plan needs a positive amount; a dynamic plan is one-time and has none.
  billingPeriod and pricingType are locked after creation (422 PLAN_FIELD_LOCKED; the same value is accepted).
  Another profile's plan is 403, an unknown one 404. Lists are cursor paged, newest first.

  Scenario: A plan is created with its defaults and read back
    Given a Portaly merchant
    When the merchant requests "POST /plans" with:
      """
      {"name": "Basic {{run}}", "amount": 300, "billingPeriod": "monthly", "currency": "twd"}
      """
    Then the Portaly answer is HTTP 201
    And the Portaly answer has:
      | data.name          | Basic {{run}} |
      | data.amount        | 300           |
      | data.currency      | TWD           |
      | data.pricingType   | fixed         |
      | data.status        | active        |
      | data.collectPhone  | true          |
      | data.imageUrl      | null          |

  Scenario Outline: An invalid plan is refused, naming the field
    Given a Portaly merchant
    When the merchant requests "POST /plans" with:
      """
      <body>
      """
    Then the Portaly call is refused as invalid, naming "<field>"

    Examples:
      | field         | body                                                                                   |
      | name          | {"amount": 300, "billingPeriod": "monthly"}                                            |
      | billingPeriod | {"name": "P", "amount": 300, "billingPeriod": "weekly"}                                |
      | amount        | {"name": "P", "billingPeriod": "monthly"}                                              |
      | billingPeriod | {"name": "P", "billingPeriod": "monthly", "pricingType": "dynamic"}                    |
      | amount        | {"name": "P", "amount": 100, "billingPeriod": "one-time", "pricingType": "dynamic"}    |

  Scenario Outline: billingPeriod and pricingType are locked after creation
    Given a Portaly merchant
    And the merchant has a monthly plan "basic" of 300
    When the merchant requests "PUT /plans/{{plan:basic}}" with:
      """
      {"<field>": "<other>"}
      """
    Then the Portaly call is refused with HTTP 422 and code "PLAN_FIELD_LOCKED"
    When the merchant requests "PUT /plans/{{plan:basic}}" with:
      """
      {"<field>": "<same>", "name": "Renamed"}
      """
    Then the Portaly answer has:
      | data.name    | Renamed |
      | data.<field> | <same>  |

    Examples:
      | field         | other   | same    |
      | billingPeriod | yearly  | monthly |
      | pricingType   | dynamic | fixed   |

  Scenario: Another merchant's plan is forbidden and an unknown plan is not found
    Given a Portaly merchant
    And another Portaly merchant
    And the other merchant has a monthly plan "theirs" of 500
    When the merchant requests "GET /plans/{{plan:theirs}}"
    Then the Portaly call is refused with HTTP 403 and code "FORBIDDEN"
    When the merchant requests "PUT /plans/{{plan:theirs}}" with:
      """
      {"name": "Mine now"}
      """
    Then the Portaly call is refused with HTTP 403 and code "FORBIDDEN"
    When the merchant requests "GET /plans/plan_unknown{{run}}"
    Then the Portaly call is refused with HTTP 404 and code "NOT_FOUND"
    When the merchant requests "GET /plans?profileId={{otherProfileId}}"
    Then the Portaly call is refused with HTTP 403 and code "FORBIDDEN"

  Scenario: Plans are listed newest first in pages that follow nextCursor
    Given a new Portaly merchant
    And the merchant has a monthly plan "first" of 100
    And the merchant has a monthly plan "second" of 200
    And the merchant has a monthly plan "third" of 300
    When the merchant requests "GET /plans?limit=2"
    Then the Portaly answer has:
      | data.0.id             | {{plan:third}}  |
      | data.1.id             | {{plan:second}} |
      | pagination.hasMore    | true            |
      | pagination.nextCursor | {{plan:second}} |
      | pagination.count      | 2               |
    When the merchant requests "GET /plans?limit=2&startAfter={{plan:second}}"
    Then the Portaly answer has:
      | data.0.id          | {{plan:first}} |
      | data.1             | (absent)       |
      | pagination.hasMore | false          |
    When the merchant requests "GET /plans?limit=0"
    Then the Portaly call is refused as invalid, naming "limit"

  Scenario: A plan's description is cleaned on write: no scripts or handlers, images only from https
    Given a Portaly merchant
    When the merchant requests "POST /plans" with:
      """
      {"name": "Rich {{run}}", "amount": 300, "billingPeriod": "monthly", "description": "<p onclick=\"steal()\">Hello <b>world</b></p><script>alert('x')</script><a href=\"javascript:steal()\">link</a><img src=\"https://cdn.example/safe.png\"><img src=\"http://cdn.example/plain.png\">"}
      """
    Then the Portaly answer is HTTP 201
    And the Portaly answer's "data.description" contains "<b>world</b>"
    And the Portaly answer's "data.description" contains "https://cdn.example/safe.png"
    And the Portaly answer's "data.description" does not contain "<script"
    And the Portaly answer's "data.description" does not contain "onclick"
    And the Portaly answer's "data.description" does not contain "javascript:"
    And the Portaly answer's "data.description" does not contain "http://cdn.example/plain.png"
