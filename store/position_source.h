// PositionSource: something whose position only grows (the log's head, the views'
// applied position) and that tells listeners when it moves.
#ifndef AGREEMENTS_STORE_POSITION_SOURCE_H_
#define AGREEMENTS_STORE_POSITION_SOURCE_H_

#include <cstdint>
#include <functional>

namespace agreements::store {

class PositionSource {
 public:
  virtual ~PositionSource() = default;
  // Registers a listener called with each new position (on the thread that moved it;
  // it must not block); returns an id for RemoveListener. A listener may still run
  // shortly after RemoveListener returns.
  virtual uint64_t AddListener(std::function<void(uint64_t position)> listener) = 0;
  virtual void RemoveListener(uint64_t id) = 0;
};

}  // namespace agreements::store

#endif  // AGREEMENTS_STORE_POSITION_SOURCE_H_
