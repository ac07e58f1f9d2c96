@finance
Feature: Consumption summary
  POST /api/consumption/summary aggregates spending in a time range: totalCoins, count, and breakdowns
  by consumption type and by service. Every figure agrees with the records.

  Scenario: The summary totals every consumption, by type and by service
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes 1000 tokens of "agent-chat" on plan "agent-chat-pro"
    And the user consumes 61 seconds of "expert-consult"
    And the user consumes a fixed charge of "report-export"
    And the user consumes a charge of 15 coins on "task-view"
    And the user asks for the consumption summary
    Then the summary shows 92 coins over 5 consumptions
    And the summary by consume type is:
      | consumeType | coins | count |
      | TOKEN       | 7     | 2     |
      | DURATION    | 20    | 1     |
      | FIXED       | 65    | 2     |
    And the summary by service code is:
      | serviceCode    | coins | count |
      | agent-chat     | 7     | 2     |
      | expert-consult | 20    | 1     |
      | report-export  | 50    | 1     |
      | task-view      | 15    | 1     |

  Scenario: A user with no consumptions has an empty summary
    Given a new user with 1000 coins
    When the user asks for the consumption summary
    Then the summary shows 0 coins over 0 consumptions

  Scenario: The summary counts only the consumptions inside the time range
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export"
    And 1 second passes
    And the user consumes 1000 tokens of "agent-chat"
    And 1 second passes
    And the user consumes 60 seconds of "expert-consult"
    And the user asks for the consumption summary with:
      | startTime | createdAt of consumption 2 |
      | endTime   | createdAt of consumption 3 |
    Then the summary shows 2 coins over 1 consumption

  Scenario: The summary can be narrowed to one service
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes a fixed charge of "report-export"
    And the user asks for the consumption summary with:
      | serviceCode | report-export |
    Then the summary shows 50 coins over 1 consumption

  Scenario: A replayed consumption is not counted twice
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "once"
    And the user consumes a fixed charge of "report-export" with key "once"
    And the user asks for the consumption summary
    Then the summary shows 50 coins over 1 consumption

  Scenario: The summary can be narrowed to one consumption type
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes 61 seconds of "expert-consult"
    And the user consumes a fixed charge of "report-export"
    And the user asks for the consumption summary with:
      | consumeType | DURATION |
    Then the summary shows 20 coins over 1 consumption
    And the summary by consume type is:
      | consumeType | coins | count |
      | DURATION    | 20    | 1     |
    And the summary by service code is:
      | serviceCode    | coins | count |
      | expert-consult | 20    | 1     |

  Scenario: A summary from a start time counts that moment and what follows
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export"
    And 1 second passes
    And the user consumes 1000 tokens of "agent-chat"
    And the user asks for the consumption summary with:
      | startTime | createdAt of consumption 2 |
    Then the summary shows 2 coins over 1 consumption

  Scenario: A summary up to an end time leaves that moment out
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export"
    And 1 second passes
    And the user consumes 1000 tokens of "agent-chat"
    And the user asks for the consumption summary with:
      | endTime | createdAt of consumption 2 |
    Then the summary shows 50 coins over 1 consumption

  Scenario: The summary's filters apply together
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat"
    And the user consumes a fixed charge of "report-export"
    And 1 second passes
    And the user consumes 1000 tokens of "agent-chat" on plan "agent-chat-pro"
    And the user consumes a charge of 15 coins on "task-view"
    And 1 second passes
    And the user consumes 2000 tokens of "agent-chat"
    And the user asks for the consumption summary with:
      | serviceCode | agent-chat                 |
      | consumeType | TOKEN                      |
      | startTime   | createdAt of consumption 3 |
      | endTime     | createdAt of consumption 5 |
    Then the summary shows 5 coins over 1 consumption
    And the summary by service code is:
      | serviceCode | coins | count |
      | agent-chat  | 5     | 1     |

  Scenario Outline: Invalid summary filters are refused
    Given a signed-in user
    When the user sends "POST /api/consumption/summary" with body:
      """json
      <body>
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "<field>"

    Examples:
      | field       | body                                                                     |
      | consumeType | {"consumeType": "HOURLY"}                                                |
      | serviceCode | {"serviceCode": "no spaces allowed"}                                     |
      | startTime   | {"startTime": "2026-11-23T10:00:00Z", "endTime": "2026-11-23T09:00:00Z"} |
      | endTime     | {"endTime": "tomorrow"}                                                  |
