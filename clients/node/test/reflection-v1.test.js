'use strict';
// Server reflection, protocol grpc.reflection.v1, through an independent client on
// @grpc/grpc-js (test/support/reflection-suite.js).

const { describeReflection } = require('./support/reflection-suite');

describeReflection('v1');
