@finance
Feature: Consumption records
  Users view a detailed breakdown of their spending: POST /api/finance/records and
  POST /api/consumption/records return the consumption log, newest first, paginated
  ({"page", "pageSize"} → {"list", "total", "page", "pageSize"}), filtered by consumeType,
  serviceCode, startTime and endTime (ISO 8601, end exclusive).

  Scenario Outline: Both record routes list the user's consumptions, newest first
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes 120 seconds of "expert-consult"
    And the user consumes a fixed charge of "report-export"
    And the user lists the consumption records at "<route>"
    Then the records list holds 3 records of 3
    And the records, newest first, are:
      | consumeType | serviceCode    | coins | recordId                    |
      | FIXED       | report-export  | 50    | recordId of consumption 3 |
      | DURATION    | expert-consult | 20    | recordId of consumption 2 |
      | TOKEN       | agent-chat     | 2     | recordId of consumption 1 |

    Examples:
      | route                   |
      | /api/finance/records    |
      | /api/consumption/records |

  Scenario: A record shows what was charged and why
    Given a new user with 1000 coins
    When the user consumes 2500 tokens of "agent-chat" with details:
      | bizId            | chat-42           |
      | description      | answer to a query |
      | metadata.agentId | expert-7          |
    And the user lists the consumption records at "/api/finance/records"
    Then the records, newest first, are:
      | tokens | rate | coins | balanceBefore | balanceAfter | bizId   | description       | metadata.agentId | planId           |
      | 2500   | 2    | 5     | 1000          | 995          | chat-42 | answer to a query | expert-7         | agent-chat-basic |

  Scenario: Records are paginated
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export"
    And the user consumes a fixed charge of "report-export"
    And the user consumes a fixed charge of "report-export"
    And the user lists the consumption records at "/api/finance/records" with:
      | page     | 2 |
      | pageSize | 2 |
    Then the records list holds 1 record of 3
    And the response data has:
      | page     | 2 |
      | pageSize | 2 |
    And the records, newest first, are:
      | recordId                  |
      | recordId of consumption 1 |

  Scenario: Records can be filtered by consumption type
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes a fixed charge of "report-export"
    And the user lists the consumption records at "/api/consumption/records" with:
      | consumeType | TOKEN |
    Then the records list holds 1 record of 1
    And the records, newest first, are:
      | consumeType |
      | TOKEN       |

  Scenario: Records can be filtered by service
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes 60 seconds of "expert-consult"
    And the user lists the consumption records at "/api/finance/records" with:
      | serviceCode | expert-consult |
    Then the records list holds 1 record of 1

  Scenario: Records can be limited to a time range, the end excluded
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export"
    And 1 second passes
    And the user consumes 1000 tokens of "agent-chat"
    And 1 second passes
    And the user consumes 60 seconds of "expert-consult"
    And the user lists the consumption records at "/api/finance/records" with:
      | startTime | createdAt of consumption 2 |
      | endTime   | createdAt of consumption 3 |
    Then the records list holds 1 record of 1
    And the records, newest first, are:
      | recordId                  |
      | recordId of consumption 2 |

  Scenario: A user sees only their own records
    Given a new user with 1000 coins
    And another new user with 1000 coins
    When the other user consumes a fixed charge of "report-export"
    And the user lists the consumption records at "/api/finance/records"
    Then the records list holds 0 records of 0

  Scenario: Consumptions through the agent engine appear in the user's records
    Given a new user with 1000 coins
    And the agent engine has an API key that may bill every user
    When the agent engine consumes 3000 tokens of "agent-chat"
    And the user lists the consumption records at "/api/consumption/records"
    Then the records, newest first, are:
      | recordId                  | coins |
      | recordId of consumption 1 | 6     |

  Scenario: Records show the duration and the amount they were charged for
    Given a new user with 1000 coins
    When the user consumes 90 seconds of "expert-consult"
    And the user consumes a charge of 15 coins on "task-view"
    And the user lists the consumption records at "/api/finance/records"
    Then the records, newest first, are:
      | consumeType | serviceCode    | amount | durationSeconds | coins |
      | FIXED       | task-view      | 15     | null            | 15    |
      | DURATION    | expert-consult | null   | 90              | 20    |
