@provider @alipay
Feature: Alipay sandbox — v2 gateway, RSA2 signatures, scan, notify, close and refunds
  The sandbox speaks Alipay's OpenAPI v2 gateway (POST /gateway.do, default http://127.0.0.1:8105/gateway.do) as
  alipay-sdk sends it. A request is signed RSA2 (RSA-SHA256, PKCS#1 v1.5, base64) with the app private key over
  every parameter but sign, sorted by key, joined as k=v&k=v with raw values. An answer is
  {"<method with _>_response":{…},"sign":"…"}, signed with the Alipay key over the exact text of the inner
  object. A trade from precreate or page.pay exists only once the buyer scans the code or opens the cashier.
  Notifies are form POSTs of non-empty parameters, signed RSA2 over all of them but sign and sign_type,
  acknowledged only by the body "success" and retried at 4m, 10m, 10m, 1h, 2h, 6h and 15h.
  A paid trade finishes (TRADE_FINISHED, no longer refundable) when the merchant's refund period ends, and is
  notified once more; with a period of 0 days it finishes at payment.

  Background:
    Given the Alipay sandbox and app_id "2021000000000001" with the published keys

  Scenario: A precreated trade does not exist until the buyer scans the code
    When the merchant precreates a trade of "88.88"
    Then Alipay answers code "10000" with a qr_code, signed with the Alipay key
    And alipay.trade.query answers code "40004" and sub_code "ACQ.TRADE_NOT_EXIST"
    And alipay.trade.close answers code "40004" and sub_code "ACQ.TRADE_NOT_EXIST"
    When the buyer scans the code
    Then alipay.trade.query reports trade_status "WAIT_BUYER_PAY"

  Scenario: Paying sends a signed form notify and the query reports the trade paid
    Given a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "88.88" and a valid RSA2 sign
    And no notify parameter is empty
    And alipay.trade.query reports trade_status "TRADE_SUCCESS"

  Scenario: An app id of the merchant's own is taken once registered, and the trades notify as that app
    Given the merchant registers an app id of its own
    And a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "88.88" and a valid RSA2 sign
    And the notify names the merchant's own app_id as app_id and auth_app_id
    And alipay.trade.query reports trade_status "TRADE_SUCCESS"

  Scenario: Only the body "success" acknowledges a notify
    Given the merchant answers "ok", then "SUCCESS", then "success"
    And a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    And the sandbox clock advances through the Alipay retry schedule
    Then the delivery log shows three attempts and only the last one acknowledged

  Scenario: An unacknowledged notify is sent eight times on Alipay's schedule, each attempt stamped and signed when sent
    Given the merchant answers "fail" to every notify
    And a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    And the sandbox clock advances through the Alipay retry schedule
    Then the delivery log shows 8 attempts 4, 10, 10, 60, 120, 360 and 900 minutes apart, each with the same fields and notify_id, stamped and signed when sent

  Scenario: The merchant closes a scanned trade
    Given a precreated trade of "88.88" that the buyer has scanned
    When the merchant calls alipay.trade.close
    Then Alipay answers code "10000"
    And alipay.trade.query reports trade_status "TRADE_CLOSED"
    And the notify URL receives a form POST with trade_status "TRADE_CLOSED", total_amount "88.88" and a valid RSA2 sign

  Scenario: Refunds are partial or full, repeatable by out_request_no, and never above what was paid
    Given a paid trade of "10.00"
    When the merchant refunds "3.00" with out_request_no "R1"
    Then Alipay answers code "10000" with refund_fee "3.00"
    When the merchant refunds "3.00" with out_request_no "R1"
    Then Alipay answers code "10000" with refund_fee "3.00"
    When the merchant refunds "7.01" with out_request_no "R2"
    Then Alipay answers code "40004" and sub_code "ACQ.REFUND_AMT_NOT_EQUAL_TOTAL"
    When the merchant refunds "7.00" with out_request_no "R2"
    Then Alipay answers code "10000" with refund_fee "10.00"
    And alipay.trade.query reports trade_status "TRADE_CLOSED"
    And alipay.trade.fastpay.refund.query for "R1" reports refund_amount "3.00"

  Scenario: The merchant cancels a trade whose outcome it does not know: an unpaid one is closed
    Given a precreated trade of "88.88" that the buyer has scanned
    When the merchant calls alipay.trade.cancel
    Then Alipay answers code "10000" with action "close"
    And alipay.trade.query reports trade_status "TRADE_CLOSED"
    And the notify URL receives a form POST with trade_status "TRADE_CLOSED", total_amount "88.88" and a valid RSA2 sign

  Scenario: The merchant cancels a paid trade: it is refunded in full and closed
    Given a paid trade of "10.00"
    When the merchant calls alipay.trade.cancel
    Then Alipay answers code "10000" with action "refund"
    And alipay.trade.query reports trade_status "TRADE_CLOSED"

  Scenario: An app payment: the Alipay app takes the signed order string and shows the trade, and paying notifies
    When the merchant's app hands the Alipay app an order string for "25.00"
    Then the Alipay app shows the trade and its pay sheet
    And alipay.trade.query reports trade_status "WAIT_BUYER_PAY"
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "25.00" and a valid RSA2 sign

  Scenario: A scanned payment code pays as alipay.trade.pay answers, and the trade notifies
    When the cashier scans the buyer's payment code "283456789012345678" for "36.50"
    Then Alipay answers code "10000"
    And the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "36.50" and a valid RSA2 sign
    And alipay.trade.query reports trade_status "TRADE_SUCCESS"

  Scenario: A payment code that asks the buyer for a password answers 10003, and a cancel closes the unpaid trade
    When the cashier scans the buyer's payment code "283456789012341111" for "36.50"
    Then Alipay answers code "10003"
    And alipay.trade.query reports trade_status "WAIT_BUYER_PAY"
    When the merchant calls alipay.trade.cancel
    Then Alipay answers code "10000" with action "close"
    And alipay.trade.query reports trade_status "TRADE_CLOSED"

  Scenario: A payment code the buyer's balance cannot pay is refused, the trade waits, and a fresh code pays it
    When the cashier scans the buyer's payment code "283456789012342222" for "36.50"
    Then Alipay answers code "40004" and sub_code "ACQ.BUYER_BALANCE_NOT_ENOUGH"
    And alipay.trade.query reports trade_status "WAIT_BUYER_PAY"
    When the cashier scans the buyer's payment code "283456789012345678" for "36.50"
    Then Alipay answers code "10000"
    And the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "36.50" and a valid RSA2 sign

  Scenario: A mini-program payment: alipay.trade.create names the buyer, the trade exists at once, and my.tradePay pays it
    When the merchant creates a JSAPI trade of "25.00" for buyer "2088102177003412"
    Then Alipay answers code "10000" with the trade_no and the trade is the buyer "2088102177003412"'s
    And alipay.trade.query reports trade_status "WAIT_BUYER_PAY"
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "25.00" and a valid RSA2 sign
    When the merchant creates a JSAPI trade of "25.00" for buyer "2088102177003412"
    Then Alipay answers code "40004" and sub_code "ACQ.TRADE_HAS_SUCCESS"

  Scenario: The Alipay app hands the merchant's app 6001 while unpaid and 9000 with a signed response once paid
    When the merchant's app hands the Alipay app an order string for "12.30"
    Then the Alipay app shows the trade and its pay sheet
    When the buyer leaves the Alipay app's pay sheet
    Then the app SDK hands the merchant's app resultStatus "6001"
    When the buyer pays on the hosted page
    And the buyer leaves the Alipay app's pay sheet
    Then the app SDK hands the merchant's app resultStatus "9000"
    And its result is an alipay_trade_app_pay_response for the trade's "12.30" with a sign the Alipay public key verifies

  Scenario: The Alipay app refuses an order string changed after signing
    When the merchant's app hands the Alipay app an order string for "25.00" changed after signing
    Then the Alipay app refuses it with resultStatus "4000" and sub_code "isv.invalid-signature"
    And alipay.trade.query answers code "40004" and sub_code "ACQ.TRADE_NOT_EXIST"

  # A month passes on the sandbox's clock: the scenario runs last, on a sandbox of its own in-process.
  @moves-sandbox-clock
  Scenario: A paid trade finishes when its refund period ends, is notified once more, and can no longer be refunded or closed
    Given the merchant's Alipay trades are refundable for 30 days
    And a paid trade of "10.00"
    When the sandbox clock advances to a minute before the trade's refund period ends
    Then alipay.trade.query reports trade_status "TRADE_SUCCESS"
    And the notifies received say trade_status "TRADE_SUCCESS"
    When the sandbox clock advances by 2 minutes
    Then the notify URL receives a form POST with trade_status "TRADE_FINISHED", total_amount "10.00" and a valid RSA2 sign
    And the notifies received say trade_status "TRADE_SUCCESS, TRADE_FINISHED"
    And alipay.trade.query reports trade_status "TRADE_FINISHED"
    When the merchant refunds "1.00" with out_request_no "R1"
    Then Alipay answers code "40004" and sub_code "ACQ.TRADE_STATUS_ERROR"
    And alipay.trade.close answers code "40004" and sub_code "ACQ.TRADE_STATUS_ERROR"

  # A day passes on the sandbox's clock.
  @moves-sandbox-clock
  Scenario: A paid trade is cancelled only on the day it was paid, and refunded by the merchant after that
    When the cashier scans the buyer's payment code "283456789012345678" for "36.50"
    Then Alipay answers code "10000"
    When the sandbox clock advances by 24 hours
    And the merchant calls alipay.trade.cancel
    Then Alipay answers code "40004" and sub_code "ACQ.TRADE_CANCEL_TIME_OUT"
    When the merchant refunds "36.50" with out_request_no "R1"
    Then Alipay answers code "10000" with refund_fee "36.50"

  Scenario: A trade sold without refunds finishes at payment
    Given the merchant's Alipay trades are refundable for 0 days
    And a precreated trade of "88.88" that the buyer has scanned
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_FINISHED", total_amount "88.88" and a valid RSA2 sign
    And the notifies received say trade_status "TRADE_FINISHED"
    And alipay.trade.query reports trade_status "TRADE_FINISHED"

  Scenario: In certificate mode the merchant names its certificates, and every answer names Alipay's
    When the merchant precreates a trade of "88.88" in certificate mode
    Then Alipay answers code "10000" with a qr_code, signed with the Alipay key
    And the answer names the published Alipay certificate in alipay_cert_sn, and that certificate's key verifies its sign
    When the merchant precreates a trade in certificate mode naming an app certificate Alipay did not issue
    Then Alipay answers code "40002" and sub_code "isv.invalid-app-cert-sn"
    And the answer names the published Alipay certificate in alipay_cert_sn, and that certificate's key verifies its sign

  Scenario: A request signed with a key Alipay does not know is refused
    When the merchant precreates a trade signed with another private key
    Then Alipay answers code "40002" and sub_code "isv.invalid-signature"

  Scenario Outline: Bad requests get Alipay's signed error answer, never a 500
    When the merchant precreates a trade with <problem>
    Then Alipay answers code "<code>" and sub_code "<sub_code>"

    Examples:
      | problem                       | code  | sub_code              |
      | total_amount "1.001"          | 40004 | ACQ.INVALID_PARAMETER |
      | total_amount "0"              | 40004 | ACQ.INVALID_PARAMETER |
      | no out_trade_no               | 40004 | ACQ.INVALID_PARAMETER |
      | a subject of 257 characters   | 40004 | ACQ.INVALID_PARAMETER |
      | no sign                       | 40001 | isv.missing-signature |
      | an unknown app_id             | 40002 | isv.invalid-app-id    |
      | a malformed timestamp         | 40002 | isv.invalid-timestamp |

  Scenario: An unknown method gets an error_response
    When the merchant calls the method "alipay.trade.nonsense"
    Then the answer is a signed error_response with code "40002" and sub_code "isv.invalid-method"

  Scenario: page.pay sends the browser to the cashier and back to return_url with a signed return
    When the merchant's page sends the browser to alipay.trade.page.pay with a return_url
    Then the browser is redirected to the Alipay cashier on the hosted pay page
    When the buyer pays on the hosted page
    Then the buyer is redirected to the return_url with method "alipay.trade.page.pay.return" and a valid RSA2 sign

  Scenario: A tampered notify signature does not verify
    Given a precreated trade of "88.88" that the buyer has scanned
    And the fault "tampered_signature" on that trade
    When the buyer pays on the hosted page
    Then the notify's RSA2 sign does not verify

  Scenario: A wrong amount arrives under a valid signature
    Given a precreated trade of "88.88" that the buyer has scanned
    And the fault "wrong_amount" on that trade
    When the buyer pays on the hosted page
    Then the notify URL receives a form POST with trade_status "TRADE_SUCCESS", total_amount "88.89" and a valid RSA2 sign

  Scenario: A trade frozen for 分账 is settled to a bound receiver in steps up to the ratio, then finished and the rest unfrozen
    Given the merchant binds Alipay user "2088102177100001" as a 分账 receiver
    And the merchant has read its Alipay balance
    When the cashier scans the buyer's payment code "283456789012345678" for "100.00" with royalty_freeze
    Then the Alipay balance has moved by "0.00" available and "100.00" frozen
    When the merchant settles "10.00" of the trade to Alipay user "2088102177100001" with out_request_no "S1"
    Then Alipay answers code "10000"
    When the merchant settles "15.00" of the trade to Alipay user "2088102177100001" with out_request_no "S2"
    Then Alipay answers code "10000"
    And alipay.trade.order.settle.query for "S2" reports "15.00" settled to Alipay user "2088102177100001"
    When the merchant settles "5.01" of the trade to Alipay user "2088102177100001" with out_request_no "S3"
    Then Alipay answers code "40004" and sub_code "ACQ.ALLOC_AMOUNT_VALIDATE_ERROR"
    When the merchant settles "1.00" of the trade to Alipay user "2088102177009999" with out_request_no "S3"
    Then Alipay answers code "40004" and sub_code "ACQ.ROYALTY_RECEIVER_INVALID"
    And alipay.trade.order.onsettle.query reports "75.00" unsettled
    When the merchant settles "5.00" of the trade to Alipay user "2088102177100001" with out_request_no "S3" and finishes 分账
    Then Alipay answers code "10000"
    And alipay.trade.order.onsettle.query reports "0.00" unsettled
    And the Alipay balance has moved by "70.00" available and "0.00" frozen

  @moves-sandbox-clock
  Scenario: An asynchronous 分账 to a receiver Alipay cannot pay processes, then fails, and its amount is frozen again
    Given the merchant binds Alipay user "2088000000000503" as a 分账 receiver
    And the merchant has read its Alipay balance
    When the cashier scans the buyer's payment code "283456789012345678" for "100.00" with royalty_freeze
    And the merchant settles "9.00" of the trade asynchronously to Alipay user "2088000000000503" with out_request_no "A1"
    Then Alipay answers code "10000"
    And alipay.trade.order.settle.query for "A1" reports its detail "PROCESSING"
    And the Alipay balance has moved by "0.00" available and "91.00" frozen
    When the sandbox clock advances by 1 minute
    Then alipay.trade.order.settle.query for "A1" reports its detail "FAIL" with error_code "TXN_RESULT_ACCOUNT_STATUS_NOT_VALID"
    And alipay.trade.order.onsettle.query reports "100.00" unsettled
    And the Alipay balance has moved by "0.00" available and "100.00" frozen
    When the merchant finishes 分账 of the trade asynchronously with out_request_no "A2"
    Then Alipay answers code "10000"
    And the Alipay balance has moved by "100.00" available and "0.00" frozen

  @moves-sandbox-clock
  Scenario: A trade frozen for 分账 and never finished is unfrozen 30 days after payment
    Given the merchant has read its Alipay balance
    When the cashier scans the buyer's payment code "283456789012345678" for "40.00" with royalty_freeze
    Then the Alipay balance has moved by "0.00" available and "40.00" frozen
    When the sandbox clock advances by 720 hours
    Then the Alipay balance has moved by "40.00" available and "0.00" frozen
    And alipay.trade.order.onsettle.query reports "40.00" unsettled

  Scenario: A mini-program trade created with agreement_sign_params signs the agreement when my.tradePay pays it
    When the merchant creates a JSAPI trade of "30.00" for buyer "2088102177003412" signing a weekly agreement of at most "30.00" from today
    Then Alipay answers code "10000" with the trade_no and the trade is the buyer "2088102177003412"'s
    When the buyer pays on the hosted page
    Then the notify URL receives the trade's "TRADE_SUCCESS" notify and a dut_user_sign for the payer, both with a valid RSA2 sign
    And alipay.user.agreement.query reports the agreement "NORMAL" with its next deduction 0 days after the first

  Scenario: The agreement methods answer on Alipay's v3 routes, signed, and refuse in the v3 shape
    Given a signed weekly Alipay agreement of at most "30.00" from today
    When the merchant queries the agreement on its v3 route, GET /v3/alipay/user/agreement/query
    Then the v3 answer is HTTP 200 with status "NORMAL"
    When the merchant unsigns the agreement on its v3 route, POST /v3/alipay/user/agreement/unsign
    Then the v3 answer is HTTP 200, signed with the Alipay key
    And the notify URL receives a dut_user_unsign form POST with status "UNSIGN" and a valid RSA2 sign
    When the merchant unsigns the agreement on its v3 route, POST /v3/alipay/user/agreement/unsign
    Then the v3 answer is HTTP 404 with code "USER_AGREEMENT_NOT_EXIST"
