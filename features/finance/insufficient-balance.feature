@finance @balance
Feature: Insufficient balance
  A consumption that costs more than the balance is refused with HTTP 402 and code 40200. Nothing is
  charged and nothing is recorded; the balance never goes below zero.

  Scenario: A consumption above the balance is refused and charges nothing
    Given a new user with 30 coins
    When the user consumes a fixed charge of "report-export"
    Then the request fails with HTTP 402 and code 40200
    And the error message mentions "insufficient balance: 50 coins required, 30 available"
    And the balance is 30 coins

  Scenario: A refused consumption leaves no record
    Given a new user with 30 coins
    When the user consumes a fixed charge of "report-export"
    And the user lists the consumption records at "/api/finance/records"
    Then the records list holds 0 records of 0

  Scenario: A user without coins cannot consume
    Given a new user without coins
    When the user consumes 1 token of "agent-chat"
    Then the request fails with HTTP 402 and code 40200
    And the balance is 0 coins

  Scenario: A consumption of exactly the balance succeeds and leaves zero
    Given a new user with 50 coins
    When the user consumes a fixed charge of "report-export"
    Then 50 coins are charged
    And the balance is 0 coins

  Scenario: The agent engine is refused for a user's insufficient balance too
    Given a new user with 10 coins
    And the agent engine has an API key that may bill every user
    When the agent engine consumes 61 seconds of "expert-consult"
    Then the request fails with HTTP 402 and code 40200
    And the balance is 10 coins

  @concurrency
  Scenario: Concurrent consumptions never overdraw the balance
    Given a new user with 120 coins
    When the user sends 5 consumptions of a fixed charge of "report-export" at once, each with its own key
    Then 2 of them succeed and 3 are refused for insufficient balance
    And the balance is 20 coins
