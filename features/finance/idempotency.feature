@finance @idempotency
Feature: Idempotent consumption
  Every consumption request includes an idempotency key to prevent duplicate charges. The key is scoped
  to the user. The same key with the same request returns the original result (replayed: true) and
  charges nothing; the same key with a different request is a conflict (HTTP 409, code 40900) and
  charges nothing. A request refused for insufficient balance leaves the key free.

  Scenario: Repeating a consumption returns the original result
    Given a signed-in user with at least 100 coins
    When the user consumes 1500 tokens of "agent-chat" with key "chat-1"
    And the user consumes 1500 tokens of "agent-chat" with key "chat-1"
    Then the last consumption repeats the first one as a replay

  Scenario: Repeating a consumption charges nothing more
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "export-1"
    And the user consumes a fixed charge of "report-export" with key "export-1"
    And the user consumes a fixed charge of "report-export" with key "export-1"
    Then the balance is 950 coins

  Scenario: A repeat is answered from the original even when the balance no longer covers it
    Given a new user with 50 coins
    When the user consumes a fixed charge of "report-export" with key "last-coins"
    And the user consumes a fixed charge of "report-export" with key "last-coins"
    Then the last consumption repeats the first one as a replay
    And the balance is 0 coins

  Scenario: Repeating a consumption adds no second record
    Given a new user with 1000 coins
    When the user consumes 60 seconds of "expert-consult" with key "call-1"
    And the user consumes 60 seconds of "expert-consult" with key "call-1"
    And the user lists the consumption records at "/api/finance/records"
    Then the records list holds 1 record of 1

  Scenario Outline: Reusing a key for a different request is a conflict and charges nothing
    Given a new user with 1000 coins
    When the user consumes 1000 tokens of "agent-chat" with key "reused"
    And the user consumes <second> with key "reused"
    Then the request fails with HTTP 409 and code 40900
    And the error message mentions "was already used with a different request"
    And the balance is 998 coins

    Examples:
      | second                                         |
      | 2000 tokens of "agent-chat"                    |
      | 1000 tokens of "agent-chat" on plan "agent-chat-pro" |
      | 60 seconds of "expert-consult"                 |

  Scenario Outline: Reusing a key with a change to any field that sets the charge is a conflict
    Given a new user with 1000 coins
    When the user consumes <first> with key "reused"
    And the user consumes <second> with key "reused"
    Then the request fails with HTTP 409 and code 40900
    And the balance has gone down by <coins> coins

    Examples:
      | field           | first                                                | second                                                 | coins |
      | tokens          | 1000 tokens of "agent-chat"                          | 1001 tokens of "agent-chat"                            | 2     |
      | durationSeconds | 60 seconds of "expert-consult"                       | 90 seconds of "expert-consult"                         | 10    |
      | amount          | a charge of 35 coins on "task-view"                  | a charge of 36 coins on "task-view"                    | 35    |
      | planId          | 1000 tokens of "agent-chat" on plan "agent-chat-pro" | 1000 tokens of "agent-chat" on plan "agent-chat-basic" | 5     |
      | serviceCode     | a fixed charge of "report-export"                    | a fixed charge of "task-view"                          | 50    |

  Scenario: Reusing a key with only the details changed replays the original
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "details" and details:
      | bizId            | order-1   |
      | description      | first try |
      | metadata.agentId | agent-1   |
    And the user consumes a fixed charge of "report-export" with key "details" and details:
      | bizId            | order-2    |
      | description      | second try |
      | metadata.agentId | agent-2    |
    Then the last consumption repeats the first one as a replay
    And the balance is 950 coins
    When the user lists the consumption records at "/api/finance/records"
    Then the records list holds 1 record of 1
    And the records, newest first, are:
      | bizId   | description | metadata.agentId |
      | order-1 | first try   | agent-1          |

  Scenario: A key is remembered for at least a day
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "yesterday"
    And 23 hours pass
    And the user consumes a fixed charge of "report-export" with key "yesterday"
    Then the last consumption repeats the first one as a replay
    And the balance is 950 coins

  Scenario: A key is forgotten once its retention has passed
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "last-week"
    And 25 hours pass
    And the user has signed in again
    And the user consumes a fixed charge of "report-export" with key "last-week"
    Then 50 coins are charged
    And the balance is 900 coins

  Scenario: Different keys are different consumptions
    Given a new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "first"
    And the user consumes a fixed charge of "report-export" with key "second"
    Then the balance is 900 coins

  Scenario: Keys belong to their user
    Given a new user with 1000 coins
    And another new user with 1000 coins
    When the user consumes a fixed charge of "report-export" with key "shared"
    And the other user consumes a fixed charge of "report-export" with key "shared"
    Then 50 coins are charged
    And the balance is 950 coins
    And the other user's balance is 950 coins

  Scenario: The agent engine and the user share the user's keys
    Given a new user with 1000 coins
    And the agent engine has an API key that may bill every user
    When the user consumes a fixed charge of "report-export" with key "either-route"
    And the agent engine consumes a fixed charge of "report-export" with key "either-route"
    Then the last consumption repeats the first one as a replay
    And the balance is 950 coins

  @balance
  Scenario: A key refused for insufficient balance can be used again after a recharge
    Given a new user with 30 coins
    When the user consumes a fixed charge of "report-export" with key "retry"
    Then the request fails with HTTP 402 and code 40200
    When the admin credits the user with 100 coins
    And the user consumes a fixed charge of "report-export" with key "retry"
    Then 50 coins are charged
    And the balance is 80 coins

  @concurrency
  Scenario: Concurrent duplicates charge once
    Given a new user with 1000 coins
    When the user sends 8 identical consumptions of a fixed charge of "report-export" at once with key "race"
    Then exactly one of them is charged and the others replay it
    And the balance is 950 coins

  @concurrency
  Scenario: Concurrent consumptions with their own keys are all charged
    Given a new user with 1000 coins
    When the user sends 8 consumptions of 1000 tokens of "agent-chat" at once, each with its own key
    Then the balance is 984 coins
