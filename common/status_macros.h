// Minimal status-propagation macros with the upstream abseil names, for the abseil in
// Debian 12 (20220623), which does not ship them. A later switch is a rename of the
// include.
#ifndef AGREEMENTS_COMMON_STATUS_MACROS_H_
#define AGREEMENTS_COMMON_STATUS_MACROS_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define AGR_STATUS_CONCAT_INNER_(a, b) a##b
#define AGR_STATUS_CONCAT_(a, b) AGR_STATUS_CONCAT_INNER_(a, b)

// Returns the status of `expr` from the enclosing function when it is not OK.
#define RETURN_IF_ERROR(expr)                  \
  do {                                         \
    ::absl::Status agr_status_ = (expr);       \
    if (!agr_status_.ok()) return agr_status_; \
  } while (false)

// `ASSIGN_OR_RETURN(auto x, Foo());` assigns the value of a StatusOr or returns its
// status.
#define ASSIGN_OR_RETURN(lhs, expr) \
  AGR_ASSIGN_OR_RETURN_IMPL_(AGR_STATUS_CONCAT_(agr_statusor_, __LINE__), lhs, expr)

#define AGR_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr)    \
  auto statusor = (expr);                                  \
  if (!statusor.ok()) return std::move(statusor).status(); \
  lhs = std::move(statusor).value()

#endif  // AGREEMENTS_COMMON_STATUS_MACROS_H_
