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
    And the error message mentions "invalid or expired verification code"

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
    And the error message mentions "less than 60 seconds ago"

  Scenario: A new code can be sent once a minute has passed
    Given a sign-in code has been sent to a new phone
    When 1 minute passes
    And a code is sent to the phone again
    Then the request succeeds

  Scenario: A code expires after five minutes
    Given a sign-in code has been sent to a new phone
    When 5 minutes pass
    And the phone signs in with the code
    Then the request fails with HTTP 401 and code 40100

  Scenario Outline: A phone number of 6 to 15 digits, with or without a leading +, gets a code
    When a code is sent to <phone>
    Then the request succeeds

    Examples:
      | phone                                            |
      | a new phone of 6 digits                          |
      | a new phone of 15 digits                         |
      | a new phone of 15 digits written with a leading + |

  @validation
  Scenario Outline: A phone number that is not 6 to 15 digits is refused
    When an anonymous client sends "POST /api/auth/sms/sendCode" with body:
      """json
      {"phone": "<phone>"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "phone"

    Examples:
      | phone            |
      |                  |
      | 12345            |
      | 1234567890123456 |
      | 1234a67          |
      | 12+3456789       |
      | ++123456789      |

  @validation
  Scenario: Signing in without a code is refused
    When an anonymous client sends "POST /api/auth/login" with body:
      """json
      {"phone": "13800000000"}
      """
    Then the request fails with HTTP 400 and code 40000
    And the error message mentions "code"

  Scenario: A token carries the user, the phone and its expiry
    Given a sign-in code has been sent to a new phone
    When the phone signs in with the code
    Then the token carries the user, the phone and an expiry 7 days after its issue

  Scenario: The SMS sandbox has no code for a phone that was sent none
    When an anonymous client sends "GET /api/auth/sms/sandbox/code?phone=1980000{{6 x 0}}"
    Then the request fails with HTTP 404 and code 40400
    And the error message mentions "no live code"
