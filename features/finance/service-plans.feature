@finance
Feature: Service plans
  Service plans define tiered access levels for platform services. GET /api/finance/servicePlan/list?serviceCode=
  lists the plans of a service with their consumption type and rate.

  Scenario: The plans of a service are listed with their billing
    Given a signed-in user
    When the user lists the service plans of "agent-chat"
    Then the request succeeds
    And the plans listed are:
      | id               | serviceCode | tier  | consumeType | rate | enabled |
      | agent-chat-basic | agent-chat  | basic | TOKEN       | 2    | true    |
      | agent-chat-pro   | agent-chat  | pro   | TOKEN       | 5    | true    |

  Scenario Outline: Each billing model has a plan
    Given a signed-in user
    When the user lists the service plans of "<service>"
    Then the plans listed are:
      | consumeType | rate   |
      | <type>      | <rate> |

    Examples:
      | service        | type     | rate |
      | expert-consult | DURATION | 10   |
      | report-export  | FIXED    | 50   |
      | task-view      | FIXED    | 20   |

  @plans
  Scenario: Without a service code every plan is listed
    Given a signed-in user
    When the user lists every service plan
    Then the request succeeds
    And the plans listed include:
      | id                      | serviceCode    | consumeType | rate | enabled |
      | agent-chat-basic        | agent-chat     | TOKEN       | 2    | true    |
      | agent-chat-pro          | agent-chat     | TOKEN       | 5    | true    |
      | expert-consult-standard | expert-consult | DURATION    | 10   | true    |
      | report-export           | report-export  | FIXED       | 50   | true    |
      | task-reward             | task-view      | FIXED       | 20   | true    |

  @plans @admin
  Scenario: A disabled plan no longer bills its service
    Given a new user with 100 coins
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      {"id": "{{newService}}-std", "serviceCode": "{{newService}}", "name": "Conformance plan", "consumeType": "FIXED", "rate": 7}
      """
    And the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key:before}}", "serviceCode": "{{newService}}", "consumeType": "FIXED"}
      """
    Then 7 coins are charged
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      {"id": "{{newService}}-std", "serviceCode": "{{newService}}", "name": "Conformance plan", "consumeType": "FIXED", "rate": 7, "enabled": false}
      """
    Then the request succeeds
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key:after}}", "serviceCode": "{{newService}}", "consumeType": "FIXED"}
      """
    Then the request fails with HTTP 404 and code 40400
    And the balance is 93 coins

  @plans @admin
  Scenario: A disabled plan named by planId charges nothing
    Given a new user with 100 coins
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      {"id": "{{newService}}-std", "serviceCode": "{{newService}}", "name": "Conformance plan", "consumeType": "FIXED", "rate": 7}
      """
    And the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key:before}}", "serviceCode": "{{newService}}", "consumeType": "FIXED", "planId": "{{newService}}-std"}
      """
    Then 7 coins are charged
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      {"id": "{{newService}}-std", "serviceCode": "{{newService}}", "name": "Conformance plan", "consumeType": "FIXED", "rate": 7, "enabled": false}
      """
    Then the request succeeds
    When the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key:after}}", "serviceCode": "{{newService}}", "consumeType": "FIXED", "planId": "{{newService}}-std"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "disabled"
    And the balance is 93 coins

  @plans @admin @validation
  Scenario Outline: An invalid plan is refused
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "<field>"

    Examples:
      | field             | body                                                                                                                           |
      | allowCustomAmount | {"id": "{{newService}}-tok", "serviceCode": "{{newService}}", "name": "Custom tokens", "consumeType": "TOKEN", "rate": 2, "allowCustomAmount": true} |
      | rate              | {"id": "{{newService}}-neg", "serviceCode": "{{newService}}", "name": "Negative", "consumeType": "FIXED", "rate": -1}          |
      | name              | {"id": "{{newService}}-nameless", "serviceCode": "{{newService}}", "consumeType": "FIXED", "rate": 1}                          |
      | consumeType       | {"id": "{{newService}}-hourly", "serviceCode": "{{newService}}", "name": "Hourly", "consumeType": "HOURLY", "rate": 1}         |

  @plans @admin
  Scenario: A charge above the most one request may charge is refused
    Given a new user with 100 coins
    When the admin sends "POST /api/admin/finance/servicePlans" with body:
      """json
      {"id": "{{newService}}-dear", "serviceCode": "{{newService}}", "name": "Dear minutes", "consumeType": "DURATION", "rate": 1000000000000}
      """
    And the user sends "POST /api/finance/consume" with body:
      """json
      {"idempotencyKey": "{{key}}", "serviceCode": "{{newService}}", "consumeType": "DURATION", "durationSeconds": 61}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "exceeds the maximum"
    And the balance is 100 coins
