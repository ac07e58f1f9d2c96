@finance @auth
Feature: Signing in with an SMS code
  POST /api/auth/sms/sendCode sends a six-digit code (the SMS sandbox keeps it); POST /api/auth/login
  signs in with it. A wrong code is HTTP 401 with code 40100. A code allows five wrong guesses, then
  even the right code is refused; it signs in once. A new code for the same phone within 60 seconds
  of an unused one is HTTP 429 with code 42900.

  Scenario: A wrong code is refused
    Given a sign-in code has been sent to a new phone
    When the phone signs in with a wrong code
    Then the request fails with HTTP 401 and code 40100

  Scenario: The right code still signs in after four wrong guesses
    Given a sign-in code has been sent to a new phone
    When the phone signs in with a wrong code 4 times
    And the phone signs in with the code
    Then the request succeeds

  Scenario: After five wrong guesses even the right code is refused
    Given a sign-in code has been sent to a new phone
    When the phone signs in with a wrong code 5 times
    And the phone signs in with the code
    Then the request fails with HTTP 401 and code 40100

  Scenario: A code signs in only once
    Given a sign-in code has been sent to a new phone
    When the phone signs in with the code
    Then the request succeeds
    When the phone signs in with the code
    Then the request fails with HTTP 401 and code 40100

  Scenario: A new code within a minute of the last one is refused
    Given a sign-in code has been sent to a new phone
    When a code is sent to the phone again
    Then the request fails with HTTP 429 and code 42900
