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
