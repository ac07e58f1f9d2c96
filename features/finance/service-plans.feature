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
