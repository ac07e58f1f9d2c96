@provider @wechat
Feature: WeChat Pay sandbox — 商家转账, transfers to a user's WeChat balance that the user confirms
  POST /v3/fund-app/mch-transfer/transfer-bills answers WAIT_USER_CONFIRM with a package_info; the merchant's page
  hands it to wx.requestMerchantTransfer, which the sandbox plays at POST /sandbox/request-merchant-transfer
  ({mchId, appId, package, action: confirm | cancel}). A confirmed transfer ends SUCCESS (or FAIL for a test openid
  sandbox-fail-<REASON>), the merchant may cancel one the user has not confirmed (CANCELING, then CANCELLED), and
  WeChat closes one left unconfirmed for 24 hours (FAIL, OVERDUE_CLOSE). Each end is told by MCHTRANSFER.BILL.FINISHED,
  its resource (original_type mch_payment) encrypted with the APIv3 key. The operation account holds transfer_float
  fen; transfers not failed or cancelled take from it, one that does not fit is 403 NOT_ENOUGH, and
  GET /v3/merchant/fund/balance/OPERATION answers what is left.

  Background:
    Given the WeChat Pay sandbox and its published merchant credentials

  Scenario: The user confirms a transfer in WeChat and the merchant is told SUCCESS
    When the merchant transfers 2000 fen to the openid "o-MYE42l80oelYMDE34nYD456Xoy" as "wxConfTransfer1"
    Then the answer is 200 with transfer state "WAIT_USER_CONFIRM" and a package_info
    And querying transfer "wxConfTransfer1" shows state "WAIT_USER_CONFIRM"
    When the user closes the confirm page of transfer "wxConfTransfer1"
    Then WeChat hands the page errMsg "requestMerchantTransfer:fail cancel"
    And querying transfer "wxConfTransfer1" shows state "WAIT_USER_CONFIRM"
    When the user confirms transfer "wxConfTransfer1" in WeChat
    Then WeChat hands the page errMsg "requestMerchantTransfer:ok"
    And the notify URL receives MCHTRANSFER.BILL.FINISHED for "wxConfTransfer1" whose resource decrypts to state "SUCCESS"
    And querying transfer "wxConfTransfer1" shows state "SUCCESS"
    When the merchant cancels transfer "wxConfTransfer1"
    Then the answer is 400 with code "INVALID_REQUEST"

  Scenario: The merchant cancels a transfer the user has not confirmed, and a failed one gives its amount back
    Given WeChat Pay's operation account has 1000 fen available for transfers
    When the merchant transfers 1000 fen to the openid "sandbox-fail-ACCOUNT_FROZEN" as "wxConfFrozen1"
    Then the answer is 200 with transfer state "WAIT_USER_CONFIRM" and a package_info
    When the merchant transfers 10 fen to the openid "o-MYE42l80oelYMDE34nYD456Xoy" as "wxConfCancel1"
    Then the answer is 403 with code "NOT_ENOUGH"
    And the operation account has 0 fen available
    When the user confirms transfer "wxConfFrozen1" in WeChat
    Then the notify URL receives MCHTRANSFER.BILL.FINISHED for "wxConfFrozen1" whose resource decrypts to state "FAIL" and fail_reason "ACCOUNT_FROZEN"
    When the merchant transfers 1000 fen to the openid "o-MYE42l80oelYMDE34nYD456Xoy" as "wxConfCancel1"
    Then the answer is 200 with transfer state "WAIT_USER_CONFIRM" and a package_info
    When the merchant cancels transfer "wxConfCancel1"
    Then the answer is 200 with transfer state "CANCELING"
    And the notify URL receives MCHTRANSFER.BILL.FINISHED for "wxConfCancel1" whose resource decrypts to state "CANCELLED"
    And querying transfer "wxConfCancel1" shows state "CANCELLED"
    And the operation account has 1000 fen available

  @moves-sandbox-clock
  Scenario: A transfer left unconfirmed for 24 hours fails with OVERDUE_CLOSE
    When the merchant transfers 300 fen to the openid "o-MYE42l80oelYMDE34nYD456Xoy" as "wxConfOverdue1"
    Then the answer is 200 with transfer state "WAIT_USER_CONFIRM" and a package_info
    When the sandbox clock advances by 24 hours
    Then the notify URL receives MCHTRANSFER.BILL.FINISHED for "wxConfOverdue1" whose resource decrypts to state "FAIL" and fail_reason "OVERDUE_CLOSE"
    And querying transfer "wxConfOverdue1" shows state "FAIL"
